"""GET /api/v1/{company}/reforecasts/latest and POST /api/v1/{company}/reforecasts."""
import pytest

from reviews.models import Reforecast, ReforecastStatus
from teams.models import Membership, Role
from teams.services import api_token_create
from tests.metrics.analytics.shop import build_shop
from tests.world import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def token_for(company, role):
    user = make_user(f"{company.slug}-{role}")
    Membership.objects.create(company=company, user=user, role=role)
    return api_token_create(company=company, user=user, name="t")[1]


def call(client, method, url, token):
    return getattr(client, method)(url, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_latest_is_404_until_a_snapshot_exists_then_admin_post_runs_one_to_poll(client):
    company, _kgi, _ = build_shop()
    admin, viewer = token_for(company, Role.ADMIN), token_for(company, Role.VIEWER)
    base = f"/api/v1/{company.slug}/reforecasts"
    assert call(client, "get", base + "/latest", viewer).status_code == 404
    assert call(client, "post", base, viewer).status_code == 403
    answer = call(client, "post", base, admin)
    assert answer.status_code == 202
    job = answer.json()
    polled = call(client, "get", job["poll"], viewer).json()
    assert polled["status"] == ReforecastStatus.DONE  # eager Celery ran it on commit
    latest = call(client, "get", base + "/latest", viewer).json()
    assert latest["id"] == job["job_id"] and 0 <= latest["probability"] <= 1
    assert {s["code"] for s in latest["sensitivity"]} == {"visits", "cvr"}
    again = call(client, "post", base, admin).json()
    assert again["job_id"] == job["job_id"] and Reforecast.objects.count() == 1


def test_another_companys_job_is_not_found(client):
    company, _kgi, _ = build_shop()
    other, _kgi2, _ = build_shop(slug="other")
    row = Reforecast.objects.create(company=other, month="2026-01-01")
    token = token_for(company, Role.ADMIN)
    assert call(client, "get", f"/api/v1/{company.slug}/reforecasts/{row.pk}",
                token).status_code == 404

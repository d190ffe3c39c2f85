"""PUT/GET /api/v1/<company>/kpis/<code>/targets: all or nothing, stored or at a grain."""
import json
from datetime import date
from decimal import Decimal

import pytest

from metrics.models import KgiStatus, Target
from teams.services import api_token_create
from tests.metrics.factories import KgiFactory, KpiFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(world):
    kpi = KpiFactory(company=world.company, code="orders", cadence="weekly", team=world.team)
    root = KpiFactory(company=world.company, code="revenue", unit="JPY", formula="orders * 2")
    KgiFactory(company=world.company, kpi=root, status=KgiStatus.ACTIVE,
               start_date=date(2026, 4, 1), deadline=date(2027, 3, 31))
    return kpi


def call(client, world, role, method, path, body=None):
    _token, raw = api_token_create(company=world.company, user=world.user(role), name=role)
    kwargs = {"headers": {"Authorization": f"Bearer {raw}"}}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(f"/api/v1/acme/kpis/orders/targets{path}", **kwargs)


def test_put_then_get_stored_and_weekly(client, world, orders):
    body = {"targets": [{"period": "2026-11-15", "value": "3,000"},
                        {"period": "2026-12-01", "value": 6200}], "reason": "plan"}
    answer = call(client, world, "admin", "put", "", body)
    assert answer.status_code == 200, answer.content
    assert [(t["period"], t["value"]) for t in answer.json()] == [
        ("2026-11-01", "3000.0000"), ("2026-12-01", "6200.0000")]
    stored = call(client, world, "viewer", "get", "?start=2026-11-01&end=2026-12-31").json()
    assert [t["set_by"] for t in stored] == ["acme-admin", "acme-admin"]
    weekly = call(client, world, "viewer", "get",
                  "?grain=week&start=2026-11-30&end=2026-12-06").json()
    expected = Decimal(3000) / 30 + Decimal(6200) * 6 / 31
    assert weekly == [{"period": "2026-11-30", "value": str(round(expected, 4))}]


def test_one_bad_entry_stores_nothing_and_names_it(client, world, orders):
    body = {"targets": [{"period": "2026-12-01", "value": 100},
                        {"period": "2031-01-01", "value": 100},
                        {"period": "2027-01-01", "value": "abc"}]}
    answer = call(client, world, "admin", "put", "", body)
    assert answer.status_code == 422
    assert [(e["index"], e["code"]) for e in answer.json()["errors"]] == [
        (1, "outside_window"), (2, "not_a_number")]
    assert not Target.objects.exists()


def test_the_teams_manager_may_set_a_member_may_not(client, world, orders):
    body = {"targets": [{"period": "2026-12-01", "value": 100}]}
    assert call(client, world, "manager", "put", "", body).status_code == 200
    assert call(client, world, "member", "put", "", body).status_code == 403


def test_an_unknown_grain_is_refused(client, world, orders):
    assert call(client, world, "viewer", "get", "?grain=fortnight").status_code == 422

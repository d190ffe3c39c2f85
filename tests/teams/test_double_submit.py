"""Every create form is safe to double-submit: twenty concurrent identical posts of one
rendered form (the same hidden ``form_key``; threads with their own database connections, on
PostgreSQL) create one object; the form rendered again is a new submission."""
import uuid
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.calendar import month_start
from metrics.models import KgiStatus, Target
from metrics.sources.models import DataSource
from okrs.models import CheckIn, KeyResult, Objective
from reviews.models import Decision, Note, Task
from reviews.services import review_open_for_week
from teams.models import ApiToken, Invitation, Team
from tests.concurrency import post_at_once
from tests.metrics.factories import KgiFactory, KpiFactory
from tests.okrs.factories import KeyResultFactory, ObjectiveFactory
from tests.world import build_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

POSTS = 20


def _note(world):
    review = review_open_for_week(team=world.team)
    return ("manager", reverse("review-note-add", args=["acme", "sales", review.week_label]),
            {"text": "Same note", "kind": "highlight"}, lambda: Note.objects.count())


def _task(world):
    review = review_open_for_week(team=world.team)
    kpi = KpiFactory(company=world.company, code="cvr", team=world.team)
    decision = Decision.objects.create(review=review, kpi=kpi, text="Act", keep_course=True)
    return ("manager", reverse("review-task-add", args=["acme", "sales", review.week_label,
                                                        decision.pk]),
            {"title": "Call them", "owner": world.user("member").pk, "due_date": "2030-01-10"},
            lambda: Task.objects.filter(title="Call them").count())


def _objective(world):
    return ("manager", reverse("okr-objective-create", args=["acme", "sales"]),
            {"title": "Win the quarter", "status": "active"},
            lambda: Objective.objects.filter(title="Win the quarter").count())


def _key_result(world):
    objective = ObjectiveFactory(team=world.team)
    return ("manager", reverse("okr-kr-create", args=["acme", "sales", objective.pk]),
            {"title": "Calls", "kind": "metric", "start": "0", "target": "10",
             "direction": "higher", "unit": "count", "weight": "1"},
            lambda: KeyResult.objects.filter(title="Calls").count())


def _checkin(world):
    kr = KeyResultFactory(objective=ObjectiveFactory(team=world.team))
    return ("member", reverse("okr-checkin", args=["acme", "sales", kr.pk]),
            {"value": "5", "confidence": "7", "comment": "on the way"},
            lambda: CheckIn.objects.count())


def _invitation(world):
    return ("admin", reverse("invitation-create", args=["acme"]),
            {"email": "new@acme.example", "role": "member"},
            lambda: Invitation.objects.filter(email="new@acme.example").count())


def _team(world):
    return ("admin", reverse("team-create", args=["acme"]), {"name": "Ops", "slug": "ops"},
            lambda: Team.objects.filter(company=world.company, slug="ops").count())


def _api_token(world):
    return ("admin", reverse("api-token-create", args=["acme"]),
            {"name": "ci", "expires_in_days": "30"},
            lambda: ApiToken.objects.filter(name="ci").count())


def _source(world):
    return ("admin", reverse("source-list", args=["acme"]),
            {"name": "Orders sheet", "kind": "url", "url": "http://127.0.0.1:9/x.csv",
             "schedule": "manual", "mapping": ""},
            lambda: DataSource.objects.filter(name="Orders sheet").count())


def _target(world):
    KpiFactory(company=world.company, code="aov", unit="JPY", aggregation="average",
               team=world.team)
    root = KpiFactory(company=world.company, code="revenue", unit="JPY", formula="aov * 2")
    today = timezone.localdate()
    KgiFactory(company=world.company, kpi=root, status=KgiStatus.ACTIVE,
               start_date=date(today.year - 1, 1, 1), deadline=date(today.year + 1, 12, 31))
    return ("manager", "/acme/kpis/aov/targets/",
            {"period": month_start(today).isoformat(), "kind": "month", "value": "32,000",
             "reason": "plan"},
            lambda: Target.objects.filter(kpi__code="aov").count())


CASES = {"note": _note, "task": _task, "objective": _objective, "key result": _key_result,
         "check-in": _checkin, "invitation": _invitation, "team": _team,
         "API token": _api_token, "source": _source, "target": _target}


@pytest.fixture
def world_pg(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (real concurrency)")
    settings.SOURCES_ALLOWED_HOSTS = ["127.0.0.1"]
    return build_world()


def _post_concurrently(cookies, url, data):
    return post_at_once(cookies, url, data, POSTS, HTTP_REFERER="http://testserver/acme/")


@pytest.mark.parametrize("case", list(CASES))
def test_twenty_concurrent_identical_posts_create_one(world_pg, case):
    role, url, data, count = CASES[case](world_pg)
    client = Client()
    client.force_login(world_pg.user(role))
    before = count()
    statuses = _post_concurrently(client.cookies, url, {**data, "form_key": str(uuid.uuid4())})
    assert len(statuses) == POSTS and 500 not in statuses, statuses
    assert count() == before + 1, (case, statuses)


def test_the_same_form_rendered_again_is_a_new_submission_and_a_key_is_given_back_on_error(
        world_pg):
    role, url, data, count = _note(world_pg)
    client = Client()
    client.force_login(world_pg.user(role))
    client.post(url, {**data, "form_key": str(uuid.uuid4())})
    client.post(url, {**data, "form_key": str(uuid.uuid4())})
    assert count() == 2
    # An htmx repeat answers 204 (the first answer did the swap); nothing is created.
    key = str(uuid.uuid4())
    assert client.post(url, {**data, "form_key": key}, HTTP_HX_REQUEST="true").status_code == 200
    assert client.post(url, {**data, "form_key": key}, HTTP_HX_REQUEST="true").status_code == 204
    assert count() == 3


def test_rendered_create_forms_carry_a_fresh_key(world_pg):
    client = Client()
    client.force_login(world_pg.user("admin"))
    keys = []
    for _ in range(2):
        page = client.get(reverse("company-settings", args=["acme"])).content.decode()
        keys += page.split('name="form_key" value="')[1:]
    assert len(keys) >= 6 and len({k[:36] for k in keys}) == len(keys)

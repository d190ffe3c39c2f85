"""Set a target on the KPI page and on a tree node; read it back on the page and the card."""
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from metrics.models import KgiStatus, Target
from metrics.target_plan import month_start
from tests.metrics.factories import KgiFactory, KpiFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def aov(world):
    kpi = KpiFactory(company=world.company, code="aov", unit="JPY", aggregation="average",
                     team=world.team)
    root = KpiFactory(company=world.company, code="revenue", unit="JPY", formula="aov * 2")
    today = timezone.localdate()
    KgiFactory(company=world.company, kpi=root, status=KgiStatus.ACTIVE,
               start_date=date(today.year - 1, 1, 1), deadline=date(today.year + 1, 12, 31))
    return kpi


def test_the_kpi_page_sets_a_target_with_history_and_shows_it(aov, world, client):
    client.force_login(world.user("manager"))
    month = month_start(timezone.localdate())
    for value, why in (("32,000", "first plan"), ("３４，５８３", "goal seek")):
        answer = client.post("/acme/kpis/aov/targets/", {
            "period": month.isoformat(), "kind": "month", "value": value, "reason": why})
        assert answer.status_code == 302
    page = client.get("/acme/kpis/aov/").content.decode()
    history = page.split('data-testid="target-history"')[1].split("</table>")[0]
    assert "first plan" in history and "goal seek" in history and "acme-manager" in history
    plan = page.split('data-testid="target-plan"')[1].split("</table>")[0]
    assert "¥34,583" in plan
    assert Target.objects.get(kpi=aov, superseded_at__isnull=True).value == Decimal(34583)


def test_a_refused_target_keeps_what_was_typed_and_names_the_problem(aov, world, client):
    client.force_login(world.user("admin"))
    answer = client.post("/acme/kpis/aov/targets/", {
        "period": "2031-01-01", "kind": "month", "value": "1.5万", "reason": "far"})
    html = answer.content.decode()
    assert answer.status_code == 422
    assert 'value="1.5万"' in html and "KGIの期間" in html
    assert not Target.objects.exists()


def test_a_member_cannot_set_targets_and_sees_no_form(aov, world, client):
    client.force_login(world.user("member"))
    assert 'data-testid="target-form"' not in client.get("/acme/kpis/aov/").content.decode()
    answer = client.post("/acme/kpis/aov/targets/", {"period": "2026-12-01", "value": "1"})
    assert answer.status_code == 403


def test_a_tree_node_sets_this_months_target(aov, world, client):
    client.force_login(world.user("admin"))
    page = client.get("/acme/tree/").content.decode()
    assert 'data-testid="node-target-aov"' in page
    answer = client.post("/acme/kpis/aov/targets/", {
        "period": month_start(timezone.localdate()).isoformat(), "kind": "month",
        "value": "33000", "next": "tree"})
    assert answer.status_code == 302 and answer["Location"] == "/acme/tree/"
    card = client.get("/acme/").content.decode()
    assert "¥33,000" in card or "¥3.3万" in card

"""The numbers grid's target row: set a month target in place, see each period's target."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.calendar import days_in_month, month_start
from core.formatting import format_value
from metrics.grid import last_periods
from metrics.models import Target
from metrics.targets import load_plan
from tests.metrics.factories import small_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def kpis(world):
    return small_tree(world.company, world.team)


def post_target(client, kpi, value, period=None):
    period = period or month_start(timezone.localdate())
    return client.post(reverse("numbers-target", args=["acme", "sales"]),
                       {"kpi": kpi.pk, "period": period.isoformat(), "target": value},
                       headers={"HX-Request": "true"})


def test_a_manager_sets_a_month_target_in_the_grid_and_the_weekly_row_shows_its_share(
        client, world, kpis):
    client.force_login(world.user("manager"))
    # The month of the grid's oldest week: it stays in force for the later weeks.
    periods = last_periods("weekly", timezone.localdate())
    month = month_start(periods[0])
    answer = post_target(client, kpis["uu"], "１２４，０００", period=month + timedelta(days=3))
    html = answer.content.decode()
    assert answer.status_code == 200 and 'class="target-row"' in html and "cell-saved" in html
    row = Target.objects.get(kpi=kpis["uu"], superseded_at__isnull=True)
    assert (row.period_start, row.value, row.created_by) == (month, Decimal(124_000),
                                                            world.user("manager"))
    # A week inside the month holds 7 days' share of the month's target.
    weekly = load_plan(world.company).at(kpis["uu"], "week", month + timedelta(days=14))
    assert weekly == pytest.approx(Decimal(124_000) * 7 / days_in_month(month))
    grid = client.get(reverse("numbers-grid", args=["acme", "sales"])).content.decode()
    target_row = grid.split(f'id="targets-{kpis["uu"].pk}"')[1].split("</tr>")[0]
    plan = load_plan(world.company)
    shown = [format_value(plan.at(kpis["uu"], "week", p), "count") for p in periods]
    assert all(text in target_row for text in shown) and "muted\">—" not in target_row


def test_a_monthly_kpis_target_cells_are_inputs_and_read_8300_man(client, world, kpis):
    client.force_login(world.user("admin"))
    answer = post_target(client, kpis["monthly_revenue"], "8,300万")
    assert "cell-saved" in answer.content.decode()
    assert Target.objects.get(kpi=kpis["monthly_revenue"]).value == Decimal(83_000_000)
    grid = client.get(reverse("numbers-grid", args=["acme", "sales"])).content.decode()
    assert 'name="target" value="83,000,000"' in grid


def test_a_refused_target_keeps_what_was_typed_and_saves_nothing(client, world, kpis):
    client.force_login(world.user("admin"))
    html = post_target(client, kpis["cvr"], "140%").content.decode()
    assert 'role="alert"' in html and 'value="140%"' in html
    html = post_target(client, kpis["uu"], "たくさん").content.decode()
    assert 'role="alert"' in html and 'value="たくさん"' in html
    assert not Target.objects.exists()


def test_a_member_sees_targets_but_cannot_set_them(client, world, kpis):
    client.force_login(world.user("admin"))
    post_target(client, kpis["monthly_revenue"], "83000000")
    client.force_login(world.user("member"))
    grid = client.get(reverse("numbers-grid", args=["acme", "sales"])).content.decode()
    assert 'name="target"' not in grid and "¥83,000,000" in grid
    assert post_target(client, kpis["monthly_revenue"], "1").status_code == 403
    assert Target.objects.count() == 1

"""Phase a yearly target into months: see the series first, then save it all at once."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from metrics.measurements import Entry, measurements_bulk_upsert
from metrics.models import KgiStatus, Target
from metrics.phasing import last_year_profile, phasing_apply, phasing_preview
from metrics.targets import TargetRefused, TargetsRefused, load_plan
from tests.metrics.factories import KgiFactory, KpiFactory

pytestmark = pytest.mark.django_db

FIRST = date(2027, 1, 1)


@pytest.fixture
def orders(world):
    kpi = KpiFactory(company=world.company, code="orders", unit="count", cadence="weekly",
                     aggregation="sum", team=world.team)
    # Last year: 700 orders a week, the weeks starting in December twice as many.
    monday = date(2025, 12, 29)
    entries = []
    while monday < date(2027, 1, 4):
        busy = monday.month == 12 and monday.year == 2026
        entries.append(Entry(kpi, monday, Decimal(1_400 if busy else 700)))
        monday += timedelta(days=7)
    measurements_bulk_upsert(company=world.company, entries=entries)
    return kpi


def test_last_years_profile_counts_each_week_in_the_months_it_covers(orders):
    profile = last_year_profile(orders, FIRST)
    # January: 4 of the 7 days of the week of 2025-12-29, four full weeks, 6 days of 01-26.
    assert profile[0] == pytest.approx(3_100) and profile[1] == pytest.approx(2_800)
    # December: 6 days of 11-30's week, four busy weeks, 4 days of 12-28's busy week.
    assert profile[11] == pytest.approx(600 + 4 * 1_400 - 1_400 + 800 + 1_400 - 1_400)


def test_the_preview_saves_nothing_and_the_seasonal_series_adds_up(orders):
    phasing = phasing_preview(orders, first=FIRST, total="１，２００，０００", rule="seasonal")
    values = [m.value for m in phasing.months]
    assert sum(values) == Decimal(1_200_000)
    assert float(values[11] / values[0]) == pytest.approx(5_600 / 3_100, rel=1e-4)
    assert [m.month for m in phasing.months][-1] == date(2027, 12, 1)
    assert not Target.objects.exists()


def test_saving_writes_twelve_month_targets_at_once_read_back_by_the_plan(orders, world):
    phasing = phasing_preview(orders, first=FIRST, total="120万", rule="ramp", ramp="50%")
    phasing_apply(kpi=orders, first=FIRST, total="120万", rule="ramp", ramp="50%",
                  expected=phasing.fingerprint, user=world.user("admin"))
    rows = Target.objects.filter(kpi=orders, superseded_at__isnull=True).order_by("period_start")
    assert rows.count() == 12 and sum(r.value for r in rows) == Decimal(1_200_000)
    assert rows.last().value / rows.first().value == pytest.approx(Decimal("1.5"), rel=Decimal("0.001"))
    plan = load_plan(world.company)
    assert plan.at(orders, "month", date(2027, 6, 1)) == rows[5].value


def test_a_stale_preview_or_a_month_outside_the_kgi_saves_nothing(orders, world):
    phasing = phasing_preview(orders, first=FIRST, total="1200000", rule="flat")
    with pytest.raises(TargetRefused) as refused:
        phasing_apply(kpi=orders, first=FIRST, total="1200001", rule="flat",
                      expected=phasing.fingerprint)
    assert refused.value.code == "stale"
    KgiFactory(company=world.company, kpi=orders, status=KgiStatus.ACTIVE,
               start_date=date(2026, 1, 1), deadline=date(2027, 6, 30))
    with pytest.raises(TargetsRefused) as refused:
        phasing_apply(kpi=orders, first=FIRST, total="1200000", rule="flat",
                      expected=phasing.fingerprint)
    assert {e.code for e in refused.value.errors} == {"outside_window"}
    assert len(refused.value.errors) == 6  # July to December
    assert not Target.objects.exists()


def test_seasonal_without_last_years_months_names_them(orders):
    with pytest.raises(TargetRefused) as refused:
        phasing_preview(orders, first=date(2028, 1, 1), total="1000", rule="seasonal")
    assert refused.value.code == "no_profile" and "2027-02" in str(refused.value.message)


def test_the_page_shows_the_months_then_saves_them(orders, world, client):
    client.force_login(world.user("manager"))
    url = reverse("kpi-target-phase", args=["acme", "orders"])
    fields = {"first": "2027-01", "total": "1,200,000", "rule": "flat", "ramp": ""}
    page = client.get(url, fields)
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="phasing-table"' in html
    assert html.count("100,000") >= 12 and not Target.objects.exists()
    fp = html.split('name="fp" value="')[1].split('"')[0]
    answer = client.post(url, {**fields, "fp": fp})
    assert answer.status_code == 302 and Target.objects.filter(kpi=orders).count() == 12
    bad = client.get(url, {**fields, "total": "たくさん"})
    assert bad.status_code == 422 and 'value="たくさん"' in bad.content.decode()
    client.force_login(world.user("member"))
    assert client.get(url).status_code == 403

"""A manager sets a month target in the numbers grid's target row: saved in place, the weeks
show their share, and a bad value stays as typed with its reason."""
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from core.calendar import month_start, period_end
from metrics.grid import last_periods
from metrics.models import Kpi, Target


def test_manager_sets_a_month_target_in_the_grid(demo, login, live_server):
    periods = last_periods("weekly", timezone.localdate())
    month = month_start(period_end(periods[-1], "weekly") - timedelta(days=1))
    organic = Kpi.objects.get(company=demo, code="organic_uu")
    page = login("demo-manager")
    page.goto(f"{live_server.url}/demo/teams/marketing/numbers/")
    row = page.locator(f"#targets-{organic.pk}")
    box = row.get_by_label(f"自然流入UUの{month:%Y-%m}の目標")
    box.fill("6万")
    box.press("Tab")
    row = page.locator(f"#targets-{organic.pk}")
    expect(row.locator(".cell-ok")).to_have_text("保存しました")
    expect(row.get_by_label(f"自然流入UUの{month:%Y-%m}の目標")).to_have_value("60,000")
    current = Target.objects.get(kpi=organic, period_start=month, superseded_at__isnull=True)
    assert current.value == Decimal(60_000) and current.created_by.username == "demo-manager"

    box = row.get_by_label(f"自然流入UUの{month:%Y-%m}の目標")
    box.fill("たくさん")
    box.press("Tab")
    row = page.locator(f"#targets-{organic.pk}")
    expect(row.locator(".cell-msg")).to_be_visible()
    expect(row.get_by_label(f"自然流入UUの{month:%Y-%m}の目標")).to_have_value("たくさん")
    assert Target.objects.get(kpi=organic, period_start=month,
                              superseded_at__isnull=True).value == Decimal(60_000)

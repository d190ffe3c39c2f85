"""An admin goal-seeks AOV on the tree, applies it in one click, and sees it on the KPI page and
in this week's review; screenshots of the tree and of the target editor are kept."""
import os
import re
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from core.formatting import format_value
from metrics.models import Kpi, Target
from metrics.selectors import target_plan
from reviews.selectors import live_numbers
from reviews.services import review_open_for_week

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/kgiapp-screenshots"))


def test_admin_goal_seeks_aov_applies_it_and_sees_it_on_the_kpi_page_and_review(
        demo, login, live_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = login("demo-admin")
    page.goto(f"{live_server.url}/demo/tree/")
    page.select_option("#seek", "aov")
    page.get_by_role("button", name="必要な値を出す").click()
    expect(page.locator(".seek-result")).to_contain_text("¥34,583")
    apply = page.locator("[data-testid=seek-apply]")
    expect(apply).to_contain_text("¥34,596 → ¥34,583")  # the preview of what changes
    page.screenshot(path=str(SHOTS / "tree-goal-seek.png"), full_page=True)
    apply.get_by_role("button", name="今月の目標として適用").click()
    expect(page).to_have_url(re.compile(r"/demo/tree/$"))
    expect(page.locator(".messages")).to_contain_text("¥34,583")

    aov = Kpi.objects.get(company=demo, code="aov")
    current = Target.objects.get(kpi=aov, superseded_at__isnull=True,
                                 period_start=timezone.localdate().replace(day=1))
    assert round(current.value) == 34_583

    page.goto(f"{live_server.url}/demo/kpis/aov/")
    expect(page.locator("[data-testid=target-plan]")).to_contain_text("¥34,583")
    history = page.locator("[data-testid=target-history]")
    expect(history).to_contain_text("ゴールシーク", use_inner_text=False)
    page.locator("details.target-history summary").click()
    expect(history).to_contain_text("Admin Demo")  # the display name of demo-admin
    page.locator("#targets").screenshot(path=str(SHOTS / "target-editor.png"))

    # This week's review compares last week's AOV with that week's plan — ¥34,583 when
    # the week lies in this month (a week in last month keeps last month's plan).
    page.goto(f"{live_server.url}/demo/teams/sales/review/")
    expect(page.locator("#review-numbers")).to_contain_text("平均注文額")
    review = review_open_for_week(team=aov.team)
    row = next(r for r in live_numbers(review) if r["code"] == "aov")
    from datetime import date
    expected = target_plan(demo, [aov.pk]).at(aov, None, date.fromisoformat(row["period_start"]))
    text = format_value(expected, "JPY")
    expect(page.locator("[data-testid=review-target-aov]")).to_contain_text(text)
    if date.fromisoformat(row["period_start"]) >= current.period_start:
        assert text == "¥34,583"

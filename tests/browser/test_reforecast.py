"""demo-executive opens this month's reforecast, reads it, moves the CVR slider and saves a what-if."""
import re

from django.utils import timezone
from playwright.sync_api import expect


def test_executive_moves_the_cvr_slider_and_sees_the_probability_change(demo, login,
                                                                         live_server):
    page = login("demo-executive")
    page.locator(".mainnav").get_by_role("link", name="着地予測").click()
    month = timezone.localdate()
    expect(page).to_have_url(re.compile(r"/demo/reforecasts/$"))
    expect(page.locator("h1")).to_have_text(f"{month.year}年{month.month}月")
    baseline = page.get_by_test_id("rf-probability").inner_text()
    assert re.fullmatch(r"\d{1,3}%", baseline)
    # The charts are drawn from their JSON configs (no inline script under the CSP).
    for chart in ("rf-trend", "rf-waterfall"):
        expect(page.locator(f'canvas[data-chart="{chart}"]')).to_have_attribute("data-drawn", "1")

    result = page.get_by_test_id("what-if-probability")
    expect(result).to_have_text(baseline)
    page.get_by_test_id("slider-cvr").fill("15")
    expect(page.locator('output[data-for="id-shift-cvr"]')).to_have_text("+15 %")
    expect(result).not_to_have_text(baseline)
    moved = int(result.inner_text().rstrip("%"))
    assert moved > int(baseline.rstrip("%"))  # a better conversion rate helps
    expect(page.locator("#what-if-result")).to_contain_text("購入率 +15.0 %")

    # An executive keeps the scenario; it appears next to the baseline.
    page.fill("input[name=name]", "決済改善")
    page.get_by_role("button", name="シナリオを保存").click()
    scenarios = page.locator("#scenarios")
    expect(scenarios).to_contain_text("決済改善")
    expect(scenarios).to_contain_text("ベースライン")
    expect(scenarios.locator("tbody tr")).to_have_count(2)


def test_keyboard_moves_end_on_the_final_state_and_the_saved_scenario_matches(demo, login,
                                                                              live_server):
    page = login("demo-executive")
    page.goto(live_server.url + "/demo/reforecasts/")
    result = page.get_by_test_id("what-if-probability")
    slider = page.get_by_test_id("slider-cvr")
    slider.focus()
    for _ in range(12):  # quick key presses, each one an input and a change event
        page.keyboard.press("ArrowRight")
    expect(page.locator('output[data-for="id-shift-cvr"]')).to_have_text("+12 %")
    expect(page.locator("#what-if-result")).to_contain_text("購入率 +12.0 %")
    page.wait_for_load_state("networkidle")
    shown = result.inner_text()
    # Asking again for the same positions gives what the panel shows.
    page.get_by_role("button", name="計算").click()
    page.wait_for_load_state("networkidle")
    expect(result).to_have_text(shown)
    page.fill("input[name=name]", "キーボード")
    page.get_by_role("button", name="シナリオを保存").click()
    row = page.locator("#scenarios tbody tr", has_text="キーボード")
    expect(row).to_contain_text(shown)

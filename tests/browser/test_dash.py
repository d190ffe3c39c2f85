"""An executive reads the North Star, switches the cadence layer and opens a KPI's chart."""
import re

from playwright.sync_api import expect


def test_executive_reads_north_star_switches_layer_and_opens_a_kpi(demo, login, live_server):
    page = login("demo-executive")
    expect(page).to_have_url(re.compile(r"/demo/$"))
    north_star = page.locator("section.north-star")
    expect(north_star).to_contain_text("ノーススター")
    expect(north_star.get_by_test_id("ns-current")).to_have_text(re.compile(r"^¥[\d,]+万$"))
    # The latest monthly reforecast of the demo (seeded by the real service).
    expect(north_star.get_by_test_id("ns-attainment")).to_have_text(re.compile(r"^\d{1,3}%$"))
    expect(page.locator(".checklist-items")).to_have_count(0)  # admins only

    page.locator('.layer-tabs a[data-cadence="monthly"]').click()
    expect(page.locator('.layer-tabs a[data-cadence="monthly"]')).to_have_attribute(
        "aria-current", "page")
    expect(page).to_have_url(re.compile(r"cadence=monthly"))
    expect(page.locator("section.layer")).to_have_count(1)
    expect(page.locator('section.layer[data-layer="monthly"]')).to_be_visible()

    page.locator('.layer-tabs a[data-cadence="weekly"]').click()
    expect(page.locator('section.layer[data-layer="weekly"]')).to_be_visible()
    page.locator('[data-kpi="cvr"] a.kpi-name').click()

    expect(page).to_have_url(re.compile(r"/demo/kpis/cvr/$"))
    expect(page.locator("h1")).to_contain_text("購入率")
    expect(page.locator('canvas[data-chart="kpi-chart-config"]')).to_have_attribute(
        "data-drawn", "1")
    drawn = page.evaluate(
        "() => { const c = document.querySelector('canvas[data-chart]');"
        " return c.width > 0 && !!window.Chart.getChart(c); }")
    assert drawn
    expect(page.locator("table.kpi-table tbody tr").first).to_contain_text("%")
    assert page.locator("table.kpi-table tbody tr").count() > 40


def test_secondary_pages_open_from_the_more_menu_with_the_keyboard(demo, login, live_server):
    page = login("demo-manager")
    nav = page.locator("nav.mainnav")
    assert nav.locator(":scope > a").count() == 7  # one row of main entries, then "More"
    more = nav.locator(".nav-more")
    expect(nav.get_by_role("link", name="データ品質")).to_have_count(0)  # closed: not shown
    summary = more.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(more).to_have_attribute("open", "")
    page.keyboard.press("Tab")  # into the menu: its first link
    expect(nav.get_by_role("link", name="マイタスク")).to_be_focused()
    page.keyboard.press("Escape")
    expect(more).not_to_have_attribute("open", "")
    expect(summary).to_be_focused()

    page.keyboard.press("Enter")
    nav.get_by_role("link", name="データ品質").click()
    expect(page).to_have_url(re.compile(r"/demo/numbers/quality/$"))
    # The page is one of the menu's: "More" shows where the reader is.
    expect(page.locator(".nav-more")).to_have_class(re.compile(r"nav-more-current"))
    expect(page.locator("nav.mainnav a[aria-current=page]")).to_have_text("データ品質")

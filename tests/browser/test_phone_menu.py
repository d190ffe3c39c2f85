"""On a phone (390 px) the sticky header is one row of brand and a menu button plus the
tools, not three rows of links; the button opens the menu. On a desktop the links show."""
from playwright.sync_api import expect


def test_the_phone_header_hides_the_links_behind_a_menu_button(demo, login, live_server):
    page = login("demo-manager")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/demo/")
    nav = page.locator("nav.mainnav")
    expect(nav).to_be_hidden()
    assert page.locator("header.topbar").bounding_box()["height"] < 110
    page.locator(".nav-toggle-btn").click()
    expect(nav).to_be_visible()
    nav.get_by_role("link", name="週次レビュー").click()
    expect(page.locator("h1")).to_contain_text("週次レビュー")
    page.set_viewport_size({"width": 1366, "height": 900})
    expect(page.locator("nav.mainnav")).to_be_visible()
    expect(page.locator(".nav-toggle-btn")).to_be_hidden()

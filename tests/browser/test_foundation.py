"""A person logs in, switches language both ways, opens the team page and logs out."""
import re

from playwright.sync_api import expect


def test_manager_switches_language_opens_team_and_logs_out(demo, login, live_server):
    page = login("demo-manager")
    expect(page).to_have_url(re.compile(r"/demo/$"))
    expect(page.locator("nav.mainnav")).to_contain_text("ダッシュボード")

    page.get_by_role("button", name="English").click()
    expect(page.locator("nav.mainnav")).to_contain_text("Dashboard")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="日本語").click()
    expect(page.locator("nav.mainnav")).to_contain_text("ダッシュボード")

    page.goto(f"{live_server.url}/demo/teams/cs/")
    expect(page.locator("h1")).to_have_text("カスタマーサクセス")

    page.locator("details.menu-right summary").click()
    page.get_by_role("menuitem", name="ログアウト").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_wrong_password_shows_an_error_not_a_500(demo, login):
    page = login("demo-manager", password="wrong")
    expect(page.get_by_role("alert")).to_contain_text("ユーザー名とパスワードが一致しません")
    expect(page.locator("input[name=username]")).to_have_value("demo-manager")

"""demo-manager runs this week's marketing review in ≤ 8 clicks; demo-member sees the task."""
import re

from playwright.sync_api import expect

MAX_CLICKS = 8


def test_manager_closes_this_weeks_review_in_eight_clicks_and_member_sees_the_task(
        demo, login, live_server):
    page = login("demo-manager")
    clicks = []

    def click(locator, why):
        clicks.append(why)
        locator.click()

    # 1. Open the review (the nav goes to my first team's week; switch to marketing).
    click(page.locator("nav.mainnav").get_by_role("link", name="週次レビュー"), "open review")
    click(page.locator("nav.review-teams").get_by_role("link", name="マーケティング"), "team")
    expect(page).to_have_url(re.compile(r"/demo/teams/marketing/reviews/\d{4}-W\d{2}/$"))
    expect(page.locator("#review-numbers")).to_contain_text("購入率")

    # 2. A lowlight.
    page.fill("#note-text", "決済エラーで購入率が低下")
    click(page.locator("#review-notes").get_by_role("button", name="課題"), "lowlight")
    expect(page.locator("#review-notes")).to_contain_text("決済エラーで購入率が低下")

    # 3. Accept the draft summary.
    expect(page.locator("#summary-text")).not_to_be_empty()
    click(page.get_by_role("button", name="サマリーを確定"), "accept summary")
    expect(page.locator("#review-summary")).to_contain_text("確定済み")

    # 4 + 5. One decision on a KPI with its task for demo-member, in one form.
    form = page.locator("form.decision-form")
    form.locator("select[name=kpi]").select_option(label="購入率")
    form.locator("input[name=text]").fill("決済フォームの入力項目を減らす")
    form.locator("input[name=rationale]").fill("購入率が目標未達、決済エラーの課題あり")
    form.locator("input[name=task_title]").fill("決済フォーム簡略化のA/Bテストを開始")
    form.locator("select[name=task_owner]").select_option(label="Member Demo")
    click(form.get_by_role("button", name="決定を記録"), "record decision")
    expect(page.locator("#review-decisions")).to_contain_text("決済フォーム簡略化のA/Bテストを開始")

    # Close.
    click(page.get_by_role("button", name="レビューを完了"), "close")
    expect(page.locator(".review-status")).to_contain_text("クローズ済み")
    expect(page.locator("#review-numbers")).to_contain_text("クローズ時点の数値")
    assert len(clicks) <= MAX_CLICKS, clicks

    page.context.clear_cookies()
    page = login("demo-member")
    page.locator("nav.mainnav .nav-more summary").click()  # My tasks sits under "More"
    page.locator("nav.mainnav").get_by_role("link", name="マイタスク").click()
    expect(page.locator("main")).to_contain_text("決済フォーム簡略化のA/Bテストを開始")

"""demo-manager of カスタマーサクセス imports the Excel roster (cp932), opens the at-risk list,
turns one customer into a task and finds it in this week's review and in My tasks."""
import re

from django.utils import timezone
from playwright.sync_api import expect

ROSTER = (
    "顧客名,契約プラン,契約日,オンボーディング状況,最終ログイン日,NPSスコア,特記事項\r\n"
    "株式会社ブラウザ検証商事,スタンダード,2024/01/10,未完了,2024/02/01,3,解約を検討中\r\n"
    "株式会社ブラウザ健全物産,プロ,2024/01/15,完了,{today},9,\r\n"
)


def test_manager_imports_roster_and_turns_an_at_risk_customer_into_a_task(
        demo, login, live_server, tmp_path):
    roster = tmp_path / "顧客リスト.csv"
    today = timezone.localdate().isoformat()
    roster.write_bytes(ROSTER.format(today=today).encode("cp932"))
    page = login("demo-manager")
    page.get_by_role("link", name="顧客", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/demo/teams/cs/customers/$"))
    page.get_by_role("link", name="顧客リストを取り込む").click()
    page.set_input_files("input[name=file]", str(roster))
    page.get_by_role("button", name="ファイルを確認する").click()
    expect(page.locator("main")).to_contain_text("株式会社ブラウザ検証商事")
    page.get_by_role("button", name="取り込みを反映する").click()
    expect(page.locator(".msg-success")).to_contain_text("新規 2 件")
    page.get_by_role("navigation", name="カスタマーサクセス").get_by_role(
        "link", name="解約リスク").click()
    row = page.locator("#at-risk tr", has_text="株式会社ブラウザ検証商事")
    expect(row).to_contain_text("特記事項に「解約」")
    expect(row).to_contain_text("NPS 3")
    expect(page.locator("#at-risk")).not_to_contain_text("株式会社ブラウザ健全物産")

    # One click: the row's slot becomes a link to this week's review.
    row.get_by_role("button", name="タスクにする").click()
    slot = row.locator(".cs-task-slot")
    expect(slot).to_contain_text("タスクにしました")
    expect(row.get_by_role("button", name="タスクにする")).to_have_count(0)
    slot.get_by_role("link", name=re.compile(r"\d{4}-W\d{2}のレビュー")).click()
    expect(page).to_have_url(re.compile(r"/demo/teams/cs/reviews/\d{4}-W\d{2}/#task-\d+$"))
    expect(page.locator("h1")).to_contain_text("カスタマーサクセス")
    decision = page.locator("#review-decisions .decision",
                            has_text="オンボーディングが止まっている顧客をフォローする")
    expect(decision).to_contain_text("株式会社ブラウザ検証商事をフォロー")
    expect(decision).to_contain_text("オンボーディング完了率")
    expect(page.locator("li:target")).to_contain_text("株式会社ブラウザ検証商事")
    # The list remembers it: after a reload the row links to the task instead of a button.
    page.go_back()
    page.reload()
    row = page.locator("#at-risk tr", has_text="株式会社ブラウザ検証商事")
    expect(row.locator(".cs-task-slot")).to_contain_text("タスク作成済み")
    page.locator("nav.mainnav .nav-more summary").click()  # My tasks sits under "More"
    page.get_by_role("link", name="マイタスク").click()
    expect(page.locator("main")).to_contain_text("株式会社ブラウザ検証商事をフォロー")

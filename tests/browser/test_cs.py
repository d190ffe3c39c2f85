"""demo-manager of カスタマーサクセス imports the Excel roster (cp932) and opens the at-risk list."""
import re

from django.utils import timezone
from playwright.sync_api import expect

ROSTER = (
    "顧客名,契約プラン,契約日,オンボーディング状況,最終ログイン日,NPSスコア,特記事項\r\n"
    "株式会社ブラウザ検証商事,スタンダード,2024/01/10,未完了,2024/02/01,3,解約を検討中\r\n"
    "株式会社ブラウザ健全物産,プロ,2024/01/15,完了,{today},9,\r\n"
)


def test_manager_imports_roster_and_opens_at_risk_list(demo, login, live_server, tmp_path):
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

"""A manager imports a spreadsheet (preview, then commit) and edits a cell in the entry grid."""
import os
import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

SHOTS = os.environ.get("SCREENSHOT_DIR")


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def this_monday():
    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


def test_manager_uploads_reads_the_preview_commits_and_sees_the_numbers(demo, login,
                                                                         live_server, tmp_path):
    monday = this_monday()
    path = tmp_path / "広告実績.csv"
    path.write_bytes(("期間,広告費,クリック単価,自然流入UU\r\n"
                      f"{monday:%Y/%m/%d},\"2,345,678\",￥205,１２３４５\r\n").encode("cp932"))
    page = login("demo-manager")
    page.get_by_role("link", name="数値入力").click()
    page.get_by_role("link", name="スプレッドシートを取り込む").click()
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="ファイルを確認する").click()

    expect(page.get_by_test_id("encoding")).to_have_text("cp932")
    expect(page.get_by_test_id("count-new")).to_have_text("3")
    expect(page.get_by_test_id("count-changed")).to_have_text("0")
    _shot(page, "import-preview")
    page.get_by_role("button", name="すべて取り込む").click()
    expect(page.locator(".msg-success")).to_contain_text("新規 3 件")

    page.get_by_role("link", name="マーケティング").click()
    expect(page).to_have_url(re.compile(r"/demo/teams/marketing/numbers/$"))
    cell = page.get_by_label(f"広告費 {monday:%Y-%m-%d}")
    expect(cell).to_have_value("2,345,678")
    # The computed paid UU (ad spend / CPC) followed: ¥2,345,678 / ¥205 ≈ 11,442.
    expect(page.locator("table.numbers-grid")).to_contain_text("11,442")
    _shot(page, "numbers-grid")


def test_member_edits_a_cell_and_a_bad_value_is_shown_in_place(demo, login, live_server):
    monday = this_monday()
    page = login("demo-manager")
    page.goto(f"{live_server.url}/demo/teams/marketing/numbers/")
    cvr = page.get_by_label(f"購入率 {monday:%Y-%m-%d}")
    cvr.fill("140%")
    cvr.press("Tab")
    expect(page.locator(".cell-msg")).to_contain_text("範囲外")
    cvr = page.get_by_label(f"購入率 {monday:%Y-%m-%d}")
    cvr.fill("１.９%")
    cvr.press("Tab")
    expect(page.locator(".cell-ok")).to_have_text("保存しました")
    expect(page.get_by_label(f"購入率 {monday:%Y-%m-%d}")).to_have_value("1.9")
    _shot(page, "numbers-grid-edited")

"""From an empty database to the first attainment probability, as a new customer does it.

Sign up → create the company → a team → a template KGI → a target → download the
spreadsheet template → fill twelve weeks into it (openpyxl) → import it → invite a
manager (the email goes through a real SMTP server; the link is opened in a fresh browser
context, accepted, and the manager logs in) → the first reforecast shows a probability.
"""
import re
from datetime import timedelta

import openpyxl
from django.utils import timezone
from playwright.sync_api import expect

from metrics.models import Kpi, Measurement
from reviews.models import Reforecast
from teams.models import Company, Membership, Role, TeamMembership, TeamRole
from tests.smtp_server import body_of, smtp_server  # noqa: F401 (fixture)

PASSWORD = "Xq9!long-pass"
GREY = "DDDDDD"


def _fill_twelve_weeks(path):
    """Every white cell of the template gets a plausible number; grey cells stay empty."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    headers = [c.value for c in sheet[1]]
    typical = {"期首ARR": 300_000_000, "平均受注ARR": 2_400_000, "MQL数": 120}
    filled = 0
    for row in sheet.iter_rows(min_row=2):
        for cell in row[1:]:
            if str(cell.fill.fgColor.rgb).endswith(GREY):
                continue
            base = typical.get(headers[cell.column - 1], 20)  # percentages in points
            cell.value = round(base * (1 + 0.02 * (cell.row % 5)))  # counts are whole
            filled += 1
    workbook.save(path)
    return filled


def test_empty_database_to_the_first_probability(transactional_db, live_server, page, browser,
                                                 smtp_server, celery_eager,  # noqa: F811
                                                 tmp_path):
    assert not Company.objects.exists()
    base = live_server.url

    # Sign up: the first visitor creates the instance admin and the first company.
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/start/$"))
    page.fill("input[name=account-username]", "founder")
    page.fill("input[name=account-email]", "founder@example.jp")
    page.fill("input[name=account-password1]", PASSWORD)
    page.fill("input[name=account-password2]", PASSWORD)
    page.fill("input[name=company-name]", "さくら商事")
    page.fill("input[name=company-slug]", "sakura")
    page.select_option("select[name=company-timezone]", "Asia/Tokyo")
    page.get_by_role("button", name="会社を作成する").click()
    expect(page).to_have_url(re.compile(r"/sakura/$"))
    path = page.get_by_test_id("first-run")

    # A team.
    path.locator("li[data-step='1'] a").first.click()
    page.fill("input[name=name]", "営業")
    page.fill("input[name=slug]", "sales")
    page.get_by_role("button", name="チームを作成").click()
    expect(page.locator("#teams")).to_contain_text("営業")

    # A KGI from a template, owned by the team.
    page.goto(f"{base}/sakura/")
    path.locator("li[data-step='2'] a").first.click()
    page.select_option("select[name=template]", "b2b_saas")
    page.select_option("select[name=team]", label="営業")
    page.get_by_role("button", name="ツリーを作成").click()
    expect(page).to_have_url(re.compile(r"/sakura/tree/$"))

    # A target of our own for MQLs, on its KPI page.
    page.goto(f"{base}/sakura/kpis/mqls/")
    form = page.get_by_test_id("target-form")
    form.locator("input[name=period]").fill(timezone.localdate().isoformat())
    form.locator("input[name=value]").fill("150")
    form.locator("input[name=reason]").fill("展示会の分を上乗せ")
    form.get_by_role("button", name="目標を保存").click()
    expect(page.get_by_test_id("target-history")).to_contain_text("展示会の分を上乗せ",
                                                                   use_inner_text=False)

    # Before any number, the reforecast step names what each KPI lacks.
    page.goto(f"{base}/sakura/")
    step6 = path.locator("li[data-step='6']")
    expect(step6.get_by_test_id("step-needs")).to_contain_text("MQL数：必要な12週分のうち0週分")

    # The numbers: download the template from the numbers step, fill it, import it.
    with page.expect_download() as download:
        path.get_by_test_id("step-extra-4").click()
    sheet = tmp_path / "numbers.xlsx"
    download.value.save_as(sheet)
    assert _fill_twelve_weeks(sheet) > 12 * 4
    page.goto(f"{base}/sakura/numbers/import/")
    expect(page.get_by_test_id("numbers-template")).to_be_visible()
    page.set_input_files("input[type=file]", str(sheet))
    page.get_by_role("button", name="ファイルを確認する").click()
    expect(page).to_have_url(re.compile(r"/sakura/numbers/import/\d+/$"))
    page.get_by_role("button", name="すべて取り込む").click()
    expect(page.locator(".messages")).to_contain_text("取り込みました")
    company = Company.objects.get(slug="sakura")
    mqls = Kpi.objects.get(company=company, code="mqls")
    twelve_weeks_ago = timezone.localdate().replace(day=1) - timedelta(weeks=12)
    assert Measurement.objects.filter(kpi=mqls, period_start__lt=timezone.localdate()
                                      .replace(day=1), period_start__gte=twelve_weeks_ago
                                      - timedelta(days=6)).count() >= 12

    # Invite a manager; the email arrives through the SMTP server.
    page.goto(f"{base}/sakura/settings/#invite")
    invite = page.locator("#invite")
    invite.locator("input[name=email]").fill("manager@example.jp")
    invite.locator("select[name=role]").select_option("manager")
    invite.locator("select[name=team]").select_option(label="営業")
    invite.locator("select[name=team_role]").select_option("manager")
    invite.get_by_role("button", name="招待を送信").click()
    expect(page.locator("#invite")).to_contain_text("manager@example.jp")
    assert len(smtp_server.messages) == 1
    email = smtp_server.messages[0]
    assert email["To"] == "manager@example.jp"
    link = re.search(r"https?://\S+/invite/\S+", body_of(email)).group(0)

    # The manager opens the link in their own browser, accepts, and logs in later.
    context = browser.new_context(locale="ja-JP")
    guest = context.new_page()
    guest.goto(link)
    guest.fill("input[name=username]", "hanako")
    guest.fill("input[name=password1]", PASSWORD)
    guest.fill("input[name=password2]", PASSWORD)
    guest.fill("input[name=display_name]", "佐藤 花子")
    guest.get_by_role("button", name="招待を受ける").click()
    expect(guest).to_have_url(re.compile(r"/sakura/$"))
    guest.locator("details.menu-right summary").click()
    guest.get_by_role("menuitem", name="ログアウト").click()
    guest.goto(f"{base}/accounts/login/")
    guest.fill("input[name=username]", "hanako")
    guest.fill("input[name=password]", PASSWORD)
    guest.locator("main form button[type=submit]").click()
    expect(guest).to_have_url(re.compile(r"/sakura/$"))
    expect(guest.locator("details.menu-right summary")).to_have_text("佐藤 花子")
    context.close()
    assert Membership.objects.get(company=company, user__username="hanako").role == Role.MANAGER
    assert TeamMembership.objects.get(team__company=company, user__username="hanako").role \
        == TeamRole.MANAGER

    # The first reforecast: offered now that every KPI has its history, and it gives a
    # probability.
    page.goto(f"{base}/sakura/")
    expect(step6).to_contain_text("数値は揃っています")
    step6.locator("a").first.click()
    expect(page).to_have_url(re.compile(r"/sakura/reforecasts/$"))
    page.get_by_test_id("rf-run").click()
    probability = page.get_by_test_id("rf-probability")
    expect(probability).to_have_text(re.compile(r"^\d{1,3}%$"))
    assert Reforecast.objects.get(company=company).is_done

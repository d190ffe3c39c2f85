"""demo-manager creates an Objective with two KRs, links one to a KPI, sees its value come
from the KPI's numbers and the Objective marked as contributing; the alignment map shows it."""
import re

from playwright.sync_api import expect

from core.formatting import format_value
from okrs.selectors import current_quarter, kpi_quarter_value


def test_manager_aligns_a_new_objective_to_the_kgi(demo, login, live_server):
    from metrics.models import Kpi

    page = login("demo-manager")
    page.get_by_role("link", name="OKR", exact=True).click()
    expect(page).to_have_url(re.compile(r"/demo/teams/[a-z]+/okrs/"))
    page.goto(f"{live_server.url}/demo/teams/marketing/okrs/")

    page.locator("summary", has_text="新しいObjective").click()
    form = page.get_by_test_id("objective-form")
    form.get_by_label("Objective（目標）").fill("ブラックフライデーで購入率を上げる")
    form.get_by_role("button", name="Objectiveを作成").click()
    card = page.locator("article.okr-objective", has_text="ブラックフライデーで購入率を上げる")
    expect(card).to_be_visible()
    expect(card.get_by_test_id("contributes-nothing")).to_be_visible()

    # KR 1: not linked, values from check-ins.
    card.locator("summary", has_text="KRを追加").click()
    kr_form = card.locator("form[data-testid^=kr-form]")
    kr_form.locator("input[name=title]").fill("LPのABテスト 6本")
    kr_form.locator("input[name=start]").fill("0")
    kr_form.locator("input[name=target]").fill("6")
    kr_form.get_by_role("button", name="KRを追加").click()
    card = page.locator("article.okr-objective", has_text="ブラックフライデーで購入率を上げる")
    expect(card.locator("tr.okr-kr")).to_have_count(1)

    # KR 2: linked to the CVR KPI (inside the KGI's tree).
    card.locator("summary", has_text="KRを追加").click()
    kr_form = card.locator("form[data-testid^=kr-form]")
    kr_form.locator("input[name=title]").fill("購入率 2.2%")
    kr_form.locator("select[name=kpi]").select_option(label="購入率 (cvr)")
    kr_form.locator("input[name=start]").fill("1.8")
    kr_form.locator("input[name=target]").fill("2.2")
    kr_form.get_by_role("button", name="KRを追加").click()
    card = page.locator("article.okr-objective", has_text="ブラックフライデーで購入率を上げる")
    expect(card.locator("tr.okr-kr")).to_have_count(2)

    cvr = Kpi.objects.get(company=demo, code="cvr")
    expected = format_value(kpi_quarter_value(cvr, current_quarter(demo)), "percent")
    linked_row = card.locator("tr.okr-kr", has_text="購入率 2.2%")
    expect(linked_row.get_by_test_id("kr-current")).to_contain_text(expected)
    expect(linked_row.get_by_test_id("kr-current")).to_contain_text("KPIから")
    expect(card.get_by_test_id("contributes")).to_be_visible()

    page.get_by_role("link", name="整合マップ").first.click()
    node = page.locator("li.align-kpi", has=page.locator("code", has_text=re.compile(r"^cvr$")))
    expect(node).to_contain_text("購入率 2.2%")
    expect(node).to_contain_text("ブラックフライデーで購入率を上げる")

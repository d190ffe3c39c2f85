"""An admin builds a tree from the B2B SaaS template, fills seven focus places, meets the 8th refusal
and reads the sensitivity chart; the demo's plan adds up on the tree page."""
import re

from playwright.sync_api import expect

from metrics.models import Measurement
from teams.models import Company, Membership, Role, Team
from tests.world import make_user


def test_demo_tree_adds_up_to_83m_and_goal_seek_34583(demo, login, live_server):
    page = login("demo-viewer")
    page.locator("nav.mainnav").get_by_role("link", name="KPIツリー").click()
    expect(page).to_have_url(re.compile(r"/demo/tree/$"))
    expect(page.locator("#consistency")).to_contain_text("¥83,030,400")
    expect(page.locator("#consistency")).not_to_contain_text("倍")
    page.select_option("#seek", "aov")
    page.get_by_role("button", name="必要な値を出す").click()
    expect(page.locator(".seek-result")).to_contain_text("¥34,583")


def test_admin_builds_saas_tree_fills_seven_focus_places_and_the_eighth_is_refused(
        transactional_db, login, live_server):
    company = Company.objects.create(slug="saasco", name="SaaS Co")
    admin = make_user("saas-admin")
    admin.set_password("demo")
    admin.save()
    Membership.objects.create(company=company, user=admin, role=Role.ADMIN)
    Team.objects.create(company=company, slug="growth", name="Growth")

    page = login("saas-admin")
    page.goto(f"{live_server.url}/saasco/kgi/templates/")
    page.select_option("select[name=template]", "b2b_saas")
    page.select_option("select[name=team]", label="Growth")
    page.get_by_role("button", name="ツリーを作成").click()
    expect(page).to_have_url(re.compile(r"/saasco/tree/$"))
    expect(page.locator(".kgi-root")).to_contain_text("ARR")

    linked = ["starting_arr", "nrr", "upsell_rate", "logo_churn_rate", "new_arr", "sqls", "mqls"]
    for code in linked:
        page.locator(f"#focus-{code}").get_by_role("button", name="重点にする").click()
        expect(page.locator(f"#focus-{code}")).to_contain_text("モニタリングへ")
    page.locator("#focus-mql_to_sql").get_by_role("button", name="重点にする").click()
    refusal = page.locator("#focus-mql_to_sql [role=alert]")
    expect(refusal).to_contain_text("すでに重点KPIが7個")
    expect(refusal).to_contain_text("MQL数")

    # With numbers in, the sensitivity chart ranks the leaves.
    from metrics.models import Kpi

    values = {"starting_arr": 300_000_000, "upsell_rate": 8, "logo_churn_rate": 1.5,
              "mqls": 800, "mql_to_sql": 25, "sql_to_won": 30, "avg_deal_arr": 1_200_000}
    for code, value in values.items():
        Measurement.objects.create(company=company, kpi=Kpi.objects.get(company=company,
                                                                          code=code),
                                   period_start="2026-10-05", value=value)
    page.reload()
    chart = page.locator("canvas[data-chart=sensitivity-cfg]")
    expect(chart).to_be_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart(document.querySelector("
                           "'canvas[data-chart=sensitivity-cfg]'))")
    labels = page.evaluate("() => Chart.getChart(document.querySelector("
                           "'canvas[data-chart=sensitivity-cfg]')).data.labels")
    data = page.evaluate("() => Chart.getChart(document.querySelector("
                         "'canvas[data-chart=sensitivity-cfg]')).data.datasets[0].data")
    assert len(labels) == 7 and data == sorted(data, key=abs, reverse=True)
    assert any("starting_arr" in label for label in labels)

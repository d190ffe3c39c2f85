"""An admin of a company with an empty tree asks the assistant for a draft, reviews it and
accepts it; the tree page then shows the EC tree under the KGI."""
import re
from datetime import date
from decimal import Decimal

from playwright.sync_api import expect

from metrics.models import Kgi, KgiStatus, Kpi
from teams.models import Company, Membership, Role, Team
from tests.world import make_user


def test_admin_reviews_and_accepts_the_assistants_draft(transactional_db, login, live_server):
    company = Company.objects.create(slug="shopco", name="Shop Co")
    admin = make_user("shop-admin")
    admin.set_password("demo")
    admin.save()
    Membership.objects.create(company=company, user=admin, role=Role.ADMIN)
    Team.objects.create(company=company, slug="growth", name="Growth")
    root = Kpi.objects.create(company=company, code="revenue", name_ja="売上", name_en="Revenue",
                              unit="JPY")
    Kgi.objects.create(company=company, name="ECサイトの年間売上12億円", kpi=root, unit="JPY",
                       baseline=Decimal("800000000"), target=Decimal("1200000000"),
                       start_date=date(2026, 4, 1), deadline=date(2027, 3, 31),
                       why="リピート購入を増やし、広告費に頼らずに伸ばすため。",
                       status=KgiStatus.ACTIVE)

    page = login("shop-admin")
    page.goto(f"{live_server.url}/shopco/tree/")
    expect(page.locator(".tree-empty")).to_contain_text("計算式でKGIにつながるKPIがまだありません")
    page.get_by_role("link", name="アシスタントでツリー案を作る").click()
    expect(page).to_have_url(re.compile(r"/shopco/tree/assist/$"))
    expect(page.locator("main")).to_contain_text("ECサイトの年間売上12億円")

    page.get_by_role("button", name="案を提案する").click()
    draft = page.locator("#draft")
    expect(draft).to_contain_text("業界テンプレート「EC・D2C」から作成しました")
    expect(draft).to_contain_text("6件のKPIを新規作成します")
    expect(draft.locator("li[data-code=revenue]")).to_contain_text("KGI")
    expect(draft.locator("li[data-code=monthly_uu]")).to_contain_text("新規")
    expect(draft.locator("li[data-code=operating_margin]")).to_contain_text("KGIに未連動")
    assert Kpi.objects.filter(company=company).count() == 1  # reviewing saved nothing

    # Edit before accepting: rename one KPI, leave the unlinked margin out, own by Growth.
    page.fill("input[name=name_ja-return_rate]", "返品・キャンセル率")
    page.locator("li[data-code=operating_margin] input[type=checkbox]").uncheck()
    for select in page.locator("select[name^='team-']").all():
        select.select_option(label="Growth")
    page.get_by_role("button", name="採用して作成する").click()
    expect(page).to_have_url(re.compile(r"/shopco/tree/$"))
    expect(page.locator(".msg-success")).to_contain_text("KPIを5件作成しました")
    expect(page.locator(".tree-top")).to_contain_text("月間UU")
    expect(page.locator(".tree-top")).to_contain_text("monthly_uu * cvr * aov")
    assert Kpi.objects.filter(company=company, team__slug="growth").count() == 5
    assert Kpi.objects.get(company=company, code="return_rate").name_ja == "返品・キャンセル率"
    assert not Kpi.objects.filter(company=company, code="operating_margin").exists()

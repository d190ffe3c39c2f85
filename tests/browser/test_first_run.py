"""A person installs kgiapp and starts from an empty database: creates their account and
company, a team, a KGI from a template; the dashboard then shows what is next."""
import re

from playwright.sync_api import expect

from metrics.models import Kgi, KgiStatus
from teams.models import Company, Membership, Role


def test_empty_database_to_template_kgi_with_the_next_step_shown(transactional_db, live_server,
                                                                 page):
    assert not Company.objects.exists()
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/start/$"))
    expect(page.locator("h1")).to_have_text("会社を作成")

    page.fill("input[name=account-username]", "founder")
    page.fill("input[name=account-email]", "founder@example.jp")
    page.fill("input[name=account-password1]", "Xq9!long-pass")
    page.fill("input[name=account-password2]", "Xq9!long-pass")
    page.fill("input[name=company-name]", "さくら商事")
    page.fill("input[name=company-slug]", "sakura")
    page.select_option("select[name=company-timezone]", "Asia/Tokyo")
    page.get_by_role("button", name="会社を作成する").click()

    expect(page).to_have_url(re.compile(r"/sakura/$"))
    path = page.get_by_test_id("first-run")
    expect(path).to_contain_text("はじめの一歩")
    expect(path.locator("li[data-step='1']")).to_contain_text("チームを作る")
    # Nothing is claimed on an empty company: every checklist item is a cross.
    expect(page.locator(".checklist li.ok")).to_have_count(0)
    expect(page.locator(".checklist li.ng")).to_have_count(6)

    # Step 1: its link opens the settings at the team form.
    path.locator("li[data-step='1'] a").click()
    expect(page).to_have_url(re.compile(r"/sakura/settings/#teams$"))
    page.fill("input[name=name]", "営業")
    page.fill("input[name=slug]", "sales")
    page.get_by_role("button", name="チームを作成").click()
    expect(page.locator("#teams")).to_contain_text("営業")

    # Step 2: a KGI from a template, owned by the new team.
    page.goto(f"{live_server.url}/sakura/")
    expect(path.locator("li[data-step='1']")).to_have_class(re.compile("step-done"))
    path.locator("li[data-step='2'] a").click()
    expect(page).to_have_url(re.compile(r"/sakura/kgi/templates/$"))
    page.select_option("select[name=template]", "b2b_saas")
    page.select_option("select[name=team]", label="営業")
    page.get_by_role("button", name="ツリーを作成").click()
    expect(page).to_have_url(re.compile(r"/sakura/tree/$"))

    # The dashboard: teams, KGI and targets done; numbers are next, with the import link.
    page.goto(f"{live_server.url}/sakura/")
    for number in ("1", "2", "3"):
        expect(path.locator(f"li[data-step='{number}']")).to_have_class(re.compile("step-done"))
    nxt = path.locator("li[data-step='4']")
    expect(nxt).to_have_class(re.compile("step-todo"))
    expect(nxt).to_contain_text("12 週分")
    expect(nxt.locator("a").first).to_have_attribute("href", "/sakura/numbers/import/")
    expect(nxt.get_by_test_id("step-extra-4")).to_have_attribute("href",
                                                                 "/sakura/numbers/template/")

    company = Company.objects.get(slug="sakura")
    founder = Membership.objects.get(company=company).user
    assert founder.is_superuser and Membership.objects.get(company=company).role == Role.ADMIN
    assert Kgi.objects.get(company=company).status == KgiStatus.ACTIVE

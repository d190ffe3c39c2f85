"""Screenshots of the tree draft assistant (empty tree, review, no match, accepted tree), ja and en.

    DATABASE_URL=sqlite:////tmp/assist-shots.sqlite3 python bench/screenshot_assist.py --setup
    DATABASE_URL=sqlite:////tmp/assist-shots.sqlite3 python manage.py runserver 127.0.0.1:8117
    python bench/screenshot_assist.py --base http://127.0.0.1:8117 --out /work/shots/assist
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def setup():
    """Two throwaway companies with an active KGI and nothing under it (EC, and nonsense)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kgiapp.settings")
    django.setup()
    from datetime import date
    from decimal import Decimal

    from django.core.management import call_command

    from metrics.models import Kgi, KgiStatus, Kpi
    from teams.models import Company, Membership, Role, Team
    from tests.world import make_user

    call_command("migrate", verbosity=0)
    admin = make_user("shot-admin")
    admin.set_password("demo")
    admin.save()
    for slug, name, why in [
        ("shopco", "ECサイトの年間売上12億円", "リピート購入を増やし、広告費に頼らずに伸ばすため。"),
        ("oddco", "ほげほげ計画を達成する", "みんなで頑張るため。とにかく頑張る。"),
    ]:
        company = Company.objects.create(slug=slug, name=slug.title())
        Membership.objects.create(company=company, user=admin, role=Role.ADMIN)
        Team.objects.create(company=company, slug="growth", name="Growth")
        root = Kpi.objects.create(company=company, code="revenue", name_ja="売上",
                                  name_en="Revenue", unit="JPY")
        Kgi.objects.create(company=company, name=name, kpi=root, unit="JPY",
                           baseline=Decimal(800_000_000), target=Decimal(1_200_000_000),
                           start_date=date(2026, 4, 1), deadline=date(2027, 3, 31), why=why,
                           status=KgiStatus.ACTIVE)


def shoot(base, out):
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS

    os.makedirs(out, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        for lang in ("ja", "en"):
            context = browser.new_context(viewport={"width": 1366, "height": 900})
            context.add_cookies([{"name": "kgi_language", "value": lang, "url": base}])
            page = context.new_page()
            page.goto(f"{base}/accounts/login/")
            page.fill("input[name=username]", "shot-admin")
            page.fill("input[name=password]", "demo")
            page.click("main form button[type=submit]")
            page.wait_for_load_state("networkidle")

            def save(name, page=page, lang=lang):
                path = os.path.join(out, f"{name}-{lang}.png")
                page.screenshot(path=path, full_page=True)
                print(path)

            page.goto(f"{base}/shopco/tree/")
            save("1-empty-tree")
            page.goto(f"{base}/shopco/tree/assist/")
            save("2-assistant")
            page.locator("main form button[type=submit]").first.click()
            page.wait_for_load_state("networkidle")
            save("3-draft-review")
            page.goto(f"{base}/oddco/tree/assist/")
            page.locator("main form button[type=submit]").first.click()
            page.wait_for_load_state("networkidle")
            save("4-no-match")
            if lang == "en":  # accept once, after both languages saw the review
                page.goto(f"{base}/shopco/tree/assist/")
                page.locator("main form button[type=submit]").first.click()
                for select in page.locator("select[name^='team-']").all():
                    select.select_option(label="Growth")
                page.locator("#draft button[type=submit]").click()
                page.wait_for_load_state("networkidle")
                save("5-accepted-tree")
            context.close()
        browser.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--setup", action="store_true")
    parser.add_argument("--base", default="http://127.0.0.1:8117")
    parser.add_argument("--out", default="/work/shots/assist")
    args = parser.parse_args()
    setup() if args.setup else shoot(args.base, args.out)

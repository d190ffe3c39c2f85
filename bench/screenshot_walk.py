"""A walk through every main page per role, at 1366 px and 390 px, saving screenshots.

    python manage.py seed_demo && DEBUG=true python manage.py runserver 127.0.0.1:8103
    python bench/screenshot_walk.py --base http://127.0.0.1:8103 --out /tmp/walk --langs ja,en

Files are <role>-<page>-<lang>-<width>.png (above the fold; --full for whole pages). Each
page's HTTP status is printed, so a 403/404/500 on the walk shows at once.
"""
import os
import sys

from playwright.sync_api import sync_playwright

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_session import DESKTOP, launch, logged_in_page, screenshot_arguments  # noqa: E402

PHONE = {"width": 390, "height": 844}
ROLES = ["admin", "executive", "manager", "member", "viewer"]
PAGES = [
    ("dashboard", "/{c}/"),
    ("team", "/{c}/teams/marketing/"),
    ("kpi", "/{c}/kpis/cvr/"),
    ("tree", "/{c}/tree/"),
    ("numbers", "/{c}/teams/marketing/numbers/"),
    ("review", "/{c}/teams/marketing/review/"),
    ("reforecast", "/{c}/reforecasts/"),
    ("okrs", "/{c}/teams/marketing/okrs/"),
    ("customers", "/{c}/teams/cs/customers/"),
    ("at-risk", "/{c}/teams/cs/customers/at-risk/"),
    ("causal", "/{c}/teams/cs/customers/causal/"),
    ("numbers-home", "/{c}/numbers/"),
    ("tasks", "/{c}/tasks/"),
    ("settings", "/{c}/settings/"),
]


def main():
    parser = screenshot_arguments("demo-admin")
    parser.add_argument("--roles", default=",".join(ROLES))
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--langs", default="", help="e.g. ja,en (default: --lang)")
    parser.add_argument("--pages", default="", help="comma-separated page names (default: all)")
    args = parser.parse_args()
    languages = args.langs.split(",") if args.langs else [args.lang]
    pages = [p for p in PAGES if not args.pages or p[0] in args.pages.split(",")]
    os.makedirs(args.out, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for role in args.roles.split(","):
            for lang in languages:
                for label, viewport in (("1366", DESKTOP), ("390", PHONE)):
                    page = logged_in_page(browser, args.base, f"demo-{role}", args.password,
                                          lang=lang, viewport=viewport)
                    for name, path in pages:
                        response = page.goto(args.base + path.format(c=args.company))
                        page.wait_for_load_state("networkidle")
                        status = response.status if response else "?"
                        print(f"{role:9} {lang} {label:4} {status} {name}")
                        page.screenshot(path=os.path.join(
                            args.out, f"{role}-{name}-{lang}-{label}.png"),
                            full_page=args.full)
                    page.context.close()
        browser.close()


if __name__ == "__main__":
    main()

"""Screenshots of the dashboard, a team page and a KPI page from a running server.

    python manage.py seed_demo && python manage.py runserver 127.0.0.1:8103
    python bench/screenshot_dashboard.py --base http://127.0.0.1:8103 --out /tmp/shots --lang en

Uses Debian's Chromium (bench/browser_session.py); saves desktop and
mobile PNGs (whole page and above the fold, plus the navigation's "More" menu opened
from the keyboard), named <page>-<lang>-<device>.png, so a person can judge whether it
looks like a product.
"""
import os
import sys

from playwright.sync_api import sync_playwright

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_session import DESKTOP, launch, logged_in_page, screenshot_arguments  # noqa: E402

PAGES = [
    ("dashboard", "/{c}/"),
    ("dashboard-weekly", "/{c}/?cadence=weekly"),
    ("team", "/{c}/teams/marketing/"),
    ("kpi", "/{c}/kpis/cvr/"),
]


def main():
    parser = screenshot_arguments("demo-admin")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        for label, viewport in [("desktop", DESKTOP), ("mobile", {"width": 390, "height": 844})]:
            page = logged_in_page(browser, args.base, args.user, args.password, args.lang,
                                  viewport=viewport)
            context = page.context
            for name, path in PAGES:
                page.goto(args.base + path.format(c=args.company))
                page.wait_for_load_state("networkidle")
                target = os.path.join(args.out, f"{name}-{args.lang}-{label}.png")
                page.screenshot(path=target, full_page=True)
                # What a person sees first, above the fold.
                page.screenshot(path=target.replace(".png", "-fold.png"))
                print(target)
            # The main navigation with its "More" menu opened from the keyboard.
            page.goto(args.base + PAGES[0][1].format(c=args.company))
            page.focus(".nav-more summary")
            page.keyboard.press("Enter")
            target = os.path.join(args.out, f"nav-more-{args.lang}-{label}.png")
            page.screenshot(path=target)
            print(target)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()

"""Screenshots of the plan's pages: the tree with its targets, the KPI page's target editor,
the phasing preview, the cascade proposal and the numbers grid's target row.

    python manage.py seed_demo && python manage.py runserver 127.0.0.1:8103
    python bench/screenshot_targets.py --base http://127.0.0.1:8103 --out /tmp/shots

Saves <page>-<lang>-<desktop|mobile>.png (1366 and 390 px wide) for a person to judge.
"""
import os
import sys

from playwright.sync_api import sync_playwright

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_session import DESKTOP, launch, logged_in_page, screenshot_arguments  # noqa: E402

PAGES = [
    ("tree", "/{c}/tree/?seek=aov", None),
    ("target-editor", "/{c}/kpis/aov/", "#targets"),
    ("phasing", "/{c}/kpis/meetings/targets/phase/?first=2027-01&total=1%2C200"
                "&rule=ramp&ramp=30%25", None),
    ("phasing-seasonal", "/{c}/kpis/meetings/targets/phase/?first=2026-12&total=1%2C200"
                         "&rule=seasonal", None),
    ("cascade", "/{c}/tree/cascade/?node=monthly_revenue&rule=sensitivity", None),
    ("grid-targets", "/{c}/teams/sales/numbers/", None),
]


def main():
    args = screenshot_arguments("demo-admin").parse_args()
    os.makedirs(args.out, exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        for label, viewport in [("desktop", DESKTOP), ("mobile", {"width": 390, "height": 844})]:
            page = logged_in_page(browser, args.base, args.user, args.password, args.lang,
                                  viewport=viewport)
            for name, path, part in PAGES:
                page.goto(args.base + path.format(c=args.company))
                page.wait_for_load_state("networkidle")
                target = os.path.join(args.out, f"{name}-{args.lang}-{label}.png")
                if part:
                    page.locator(part).screenshot(path=target)
                else:
                    page.screenshot(path=target, full_page=True)
                print(target)
            page.context.close()
        browser.close()


if __name__ == "__main__":
    main()

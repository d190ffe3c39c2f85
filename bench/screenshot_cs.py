"""Screenshots of the at-risk list, one row turned into a task, and the review that holds it.

    python manage.py seed_demo && python manage.py runserver 127.0.0.1:8113
    python bench/screenshot_cs.py --base http://127.0.0.1:8113 --out /tmp/shots --lang ja

Logs in as the cs team's manager, clicks "Turn into a task" on the first row that has
no task yet (this changes the demo data: it files a real task), then saves the list and
this week's review scrolled to the new task.
"""
import os
import sys

from playwright.sync_api import sync_playwright

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_session import launch, logged_in_page, screenshot_arguments  # noqa: E402


def main():
    parser = screenshot_arguments("demo-manager")
    parser.add_argument("--team", default="cs")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        page = logged_in_page(browser, args.base, args.user, args.password, args.lang)
        context = page.context
        page.goto(f"{args.base}/{args.company}/teams/{args.team}/customers/at-risk/")
        page.wait_for_load_state("networkidle")
        row = page.locator("#at-risk tbody tr").filter(has=page.locator(".cs-task-slot form"))
        slot_id = row.first.locator(".cs-task-slot").get_attribute("id")
        row.first.locator(".cs-task-slot button").click()
        page.wait_for_selector(f"#{slot_id} a.cs-task-link")
        page.mouse.move(0, 0)
        shot = os.path.join(args.out, f"at-risk-{args.lang}.png")
        page.screenshot(path=shot)
        print(shot)
        page.locator(f"#{slot_id} a.cs-task-link").click()
        page.wait_for_load_state("networkidle")
        page.locator(":target").scroll_into_view_if_needed()
        shot = os.path.join(args.out, f"review-{args.lang}.png")
        page.screenshot(path=shot)
        page.screenshot(path=shot.replace(".png", "-full.png"), full_page=True)
        print(shot)
        page.goto(f"{args.base}/{args.company}/tasks/")
        page.wait_for_load_state("networkidle")
        shot = os.path.join(args.out, f"my-tasks-{args.lang}.png")
        page.screenshot(path=shot)
        print(shot)
        context.close()
        browser.close()


if __name__ == "__main__":
    main()

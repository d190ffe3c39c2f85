"""Screenshots of the notification centre, the preferences page and a digest email (HTML).

    python manage.py seed_demo
    python manage.py notify --now 2026-12-07T09:00+09:00 --no-send
    python manage.py runserver 127.0.0.1:8103
    python bench/screenshot_notifications.py --base http://127.0.0.1:8103 --out /tmp/shots

The digest email is rendered exactly as the sender builds it (notifications.channels), to
an HTML file, then photographed like the pages.
"""
import os
import subprocess
import sys

from playwright.sync_api import sync_playwright

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_session import launch, logged_in_page, screenshot_arguments  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXPORT = """
from notifications.channels import email_message
from notifications.models import Channel, Kind, Notification
row = (Notification.objects.filter(kind=Kind.EXECUTIVE_DIGEST, channel=Channel.EMAIL,
                                   recipient__username={user!r}).order_by("-pk").first())
html = email_message(row).alternatives[0][0]
open({path!r}, "w", encoding="utf-8").write(html)
"""


def main():
    parser = screenshot_arguments("demo-executive", lang=False)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    email_path = os.path.abspath(os.path.join(args.out, "digest-email.html"))
    subprocess.run([sys.executable, "manage.py", "shell", "-c",
                    EXPORT.format(user=args.user, path=email_path)], cwd=ROOT, check=True)
    with sync_playwright() as p:
        browser = launch(p)
        for lang in ("ja", "en"):
            page = logged_in_page(browser, args.base, args.user, args.password, lang)
            for name, path in (("centre", "notifications/"),
                               ("preferences", "notifications/preferences/")):
                page.goto(f"{args.base}/{args.company}/{path}")
                page.wait_for_load_state("networkidle")
                shot = os.path.join(args.out, f"notifications-{name}-{lang}.png")
                page.screenshot(path=shot, full_page=True)
                print(shot)
            page.context.close()
        page = browser.new_page(viewport={"width": 720, "height": 900})
        page.goto(f"file://{email_path}")
        shot = os.path.join(args.out, "digest-email.png")
        page.screenshot(path=shot, full_page=True)
        print(shot)
        browser.close()


if __name__ == "__main__":
    main()

"""Screenshots of the tree draft review (editable) and the voice-of-the-customer page, 1366 & 390 px.

    DATABASE_URL=sqlite:////tmp/voice-shots.sqlite3 python manage.py migrate
    DATABASE_URL=sqlite:////tmp/voice-shots.sqlite3 python manage.py seed_demo
    DATABASE_URL=sqlite:////tmp/voice-shots.sqlite3 python bench/screenshot_voice_tree.py --setup
    DATABASE_URL=sqlite:////tmp/voice-shots.sqlite3 python manage.py runserver 127.0.0.1:8124
    python bench/screenshot_voice_tree.py --base http://127.0.0.1:8124 --out /work/shots/voice

``--setup`` adds 64 lost-deal reasons (the voice tests' corpus) to the demo cs team, dated
over the last four months, so the voice page has themes with a trend.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_session import launch, logged_in_page, screenshot_arguments  # noqa: E402

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def setup(company_slug, team_slug):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kgiapp.settings")
    django.setup()
    from datetime import timedelta

    from django.utils import timezone

    from customers.models import VoiceComment
    from teams.models import Team
    from tests.customers.voice_corpus import labelled

    team = Team.objects.get(company__slug=company_slug, slug=team_slug)
    today = timezone.localdate()
    VoiceComment.objects.filter(team=team, source="lost_reason").delete()
    VoiceComment.objects.bulk_create([
        VoiceComment(company=team.company, team=team, source="lost_reason", text=text,
                     said_on=today - timedelta(days=2 * i))
        for i, (_topic, text) in enumerate(labelled())])


def shoot(args):
    from playwright.sync_api import sync_playwright

    os.makedirs(args.out, exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        for width, viewport in (("1366", DESKTOP), ("390", PHONE)):
            page = logged_in_page(browser, args.base, args.user, args.password, args.lang,
                                  viewport=viewport)

            def save(name, page=page, width=width):
                path = os.path.join(args.out, f"{name}-{args.lang}-{width}.png")
                page.screenshot(path=path, full_page=True)
                print(path)

            page.goto(f"{args.base}/{args.company}/tree/assist/")
            page.locator("main form button[type=submit]").first.click()
            page.wait_for_load_state("networkidle")
            save("tree-draft-review")
            page.goto(f"{args.base}/{args.company}/teams/{args.team}/customers/voice/")
            page.wait_for_load_state("networkidle")
            save("voice")
            page.context.close()
        browser.close()


if __name__ == "__main__":
    parser = screenshot_arguments("demo-admin")
    parser.add_argument("--team", default="cs")
    parser.add_argument("--setup", action="store_true")
    args = parser.parse_args()
    setup(args.company, args.team) if args.setup else shoot(args)

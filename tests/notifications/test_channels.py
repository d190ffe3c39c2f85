"""Slack and Teams webhooks (a real local HTTP server), retries, the stored URL, unsubscribe,
the preferences page and the notification centre with its badge."""
import pytest
import time_machine
from django.test import Client

from notifications import secrets
from notifications.delivery import MAX_ATTEMPTS
from notifications.models import Channel, Kind, Notification, Preference, Status
from notifications.services import preference_set, schedule_for
from tests.notifications.conftest import notify

pytestmark = pytest.mark.django_db


def _connect(org, hooks, slack="/slack", teams="/teams"):
    schedule = schedule_for(org.company)
    schedule.slack_webhook = secrets.encrypt(hooks.base + slack)
    schedule.teams_webhook = secrets.encrypt(hooks.base + teams)
    schedule.save()


def test_a_webhook_answering_500_then_200_delivers_exactly_once(org, smtp, hooks):
    _connect(org, hooks)
    preference_set(user=org.member, kind=Kind.NUMBERS_DUE, enabled=True, channel=Channel.SLACK)
    hooks.answer("/slack", 500)
    with time_machine.travel("2026-12-07T09:00+09:00", tick=False):
        printed = notify("2026-12-07T09:00+09:00")
    assert "to retry 1" in printed
    row = Notification.objects.get(recipient=org.member, channel=Channel.SLACK)
    assert row.status == Status.PENDING and row.attempts == 1 and "HTTP 500" in row.last_error
    # The manager's email went out meanwhile: one failing channel blocks nobody.
    assert smtp.to("mia@example.com")
    # Too early for the retry: nothing is posted.
    with time_machine.travel("2026-12-07T09:00:30+09:00", tick=False):
        notify("2026-12-07T09:00:30+09:00")
    assert len(hooks.received) == 1
    for at in ("2026-12-07T09:02+09:00", "2026-12-07T09:05+09:00"):
        with time_machine.travel(at, tick=False):
            notify(at)
    (delivered,) = hooks.delivered("/slack")
    assert "Salesの数値入力のお願い" in delivered["text"]
    assert "<http://testserver/acme/teams/sales/numbers/|数値を入力する>" in delivered["text"]
    assert len(hooks.received) == 2
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 2
    assert not smtp.to("ken@example.com")  # Slack instead of email, not both


def test_teams_gets_a_card_in_the_recipients_language(org, smtp, hooks):
    _connect(org, hooks)
    preference_set(user=org.manager, kind=Kind.NUMBERS_DUE, enabled=True, channel=Channel.TEAMS)
    with time_machine.travel("2026-12-07T09:00+09:00", tick=False):
        notify("2026-12-07T09:00+09:00")
    (card,) = hooks.delivered("/teams")
    assert card["title"] == "Numbers due for Sales (Mia)"
    assert card["potentialAction"][0]["targets"][0]["uri"] == (
        "http://testserver/acme/teams/sales/numbers/")


def test_a_channel_that_keeps_failing_is_marked_failed_with_its_reason(org, smtp, hooks):
    _connect(org, hooks)
    preference_set(user=org.member, kind=Kind.NUMBERS_DUE, enabled=True, channel=Channel.SLACK)
    hooks.answer("/slack", *[503] * MAX_ATTEMPTS)
    for minute in (0, 2, 5, 10, 20, 40):
        at = f"2026-12-07T09:{minute:02d}+09:00"
        with time_machine.travel(at, tick=False):
            notify(at)
    row = Notification.objects.get(recipient=org.member, channel=Channel.SLACK)
    assert row.status == Status.FAILED and row.attempts == MAX_ATTEMPTS
    assert row.last_error.startswith("HTTP 503")
    admin_page = Client()
    from teams.models import Membership, Role

    Membership.objects.filter(user=org.executive).update(role=Role.ADMIN)
    admin_page.force_login(org.executive)
    page = admin_page.get("/acme/notifications/settings/")
    assert page.status_code == 200
    assert "HTTP 503" in page.content.decode()


def test_webhook_urls_are_stored_encrypted_and_shown_masked(org, hooks):
    from teams.models import Membership, Role

    Membership.objects.filter(user=org.executive).update(role=Role.ADMIN)
    client = Client()
    client.force_login(org.executive)
    url = "https://hooks.slack.com/services/T000/B000/SECRETxyz9"
    data = {"numbers_weekday": 0, "numbers_time": "09:00", "reminder_after_hours": 24,
            "escalate_after_hours": 48, "review_weekday": 4, "review_time": "18:00",
            "daily_time": "09:00", "digest_time": "08:00", "slack_url": url}
    assert client.post("/acme/notifications/settings/", data).status_code == 302
    schedule = schedule_for(org.company)
    assert "SECRET" not in schedule.slack_webhook
    assert secrets.decrypt(schedule.slack_webhook) == url
    page = client.get("/acme/notifications/settings/").content.decode()
    assert "https://hooks.slack.com/…xyz9" in page and "SECRET" not in page
    # Saved again without a URL: the stored one is kept.
    assert client.post("/acme/notifications/settings/", {**data, "slack_url": ""}).status_code == 302
    assert secrets.decrypt(schedule_for(org.company).slack_webhook) == url
    # A bad schedule is refused with a sentence, not a 500.
    bad = client.post("/acme/notifications/settings/", {**data, "escalate_after_hours": 2})
    assert bad.status_code == 400
    assert "マネージャーへの連絡は2回目のリマインドより後" in bad.content.decode()


def _unsubscribe_link(message):
    return str(message["List-Unsubscribe"]).strip()[1:-1].replace("http://testserver", "")


def test_unsubscribe_without_login_stops_that_kind_only(org, smtp):
    with time_machine.travel("2026-12-07T09:00+09:00", tick=False):
        notify("2026-12-07T09:00+09:00")
    (mail,) = smtp.to("ken@example.com")
    link = _unsubscribe_link(mail)
    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get(link)
    assert page.status_code == 200 and "数値入力のお願い" in page.content.decode()
    # The mail client's one-click POST (RFC 8058): no session, no CSRF token.
    done = anonymous.post(link, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert not Preference.objects.get(user=org.member, kind=Kind.NUMBERS_DUE).enabled
    assert anonymous.get(link[:-3] + "xx/").status_code == 404  # a forged token

    # Next week: no "numbers due" for Ken, but his overdue task still reaches him.
    from datetime import date

    from reviews.models import Task
    from reviews.services import review_open_for_week

    Task.objects.create(team=org.team, review=review_open_for_week(team=org.team,
                                                                   day=date(2026, 12, 7)),
                        title="Send the quote", owner=org.member, due_date=date(2026, 12, 11))
    smtp.clear()
    with time_machine.travel("2026-12-14T09:00+09:00", tick=False):
        notify("2026-12-14T09:00+09:00")
    assert [m["Subject"] for m in smtp.to("ken@example.com")] == ["期限切れ: Send the quote"]
    assert [m["Subject"] for m in smtp.to("mia@example.com")] == ["Numbers due for Sales"]


def test_preferences_page_turns_a_kind_off_and_picks_a_channel(org):
    client = Client()
    client.force_login(org.member)
    page = client.get("/acme/notifications/preferences/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "数値入力のお願い" in html and "通知停止の開始" in html
    data = {f"channel_{kind}": "email" for kind in Kind.values}
    data.update({f"on_{kind}": "on" for kind in Kind.values if kind != Kind.TASK_OVERDUE})
    data.update({"channel_anomaly": "in_app", "quiet_start": "22:00", "quiet_end": "07:00"})
    assert client.post("/acme/notifications/preferences/", data).status_code == 302
    assert not Preference.objects.get(user=org.member, kind=Kind.TASK_OVERDUE).enabled
    assert Preference.objects.get(user=org.member, kind=Kind.ANOMALY).channel == "in_app"
    half = client.post("/acme/notifications/preferences/", {**data, "quiet_end": ""})
    assert half.status_code == 400
    assert "通知停止時間は開始と終了の両方" in half.content.decode()


def test_notification_centre_lists_and_the_header_badge_counts_unread(org, smtp):
    with time_machine.travel("2026-12-07T09:00+09:00", tick=False):
        notify("2026-12-07T09:00+09:00")
    client = Client()
    client.force_login(org.member)
    page = client.get("/acme/notifications/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Salesの数値入力のお願い" in html and 'href="http://testserver/acme/teams/sales/numbers/"' in html
    assert 'data-testid="notif-count"><span class="visually-hidden">未読: </span>1<' in html
    assert client.post("/acme/notifications/read/").status_code == 302
    html = client.get("/acme/").content.decode()
    assert 'data-testid="notif-count"' not in html
    assert Notification.objects.filter(recipient=org.member, channel=Channel.IN_APP,
                                       read_at__isnull=False).count() == 1


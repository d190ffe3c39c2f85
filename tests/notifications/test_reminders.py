"""Numbers due, second reminder, escalation; the review not closed; tasks due and overdue.

Each is sent once, at the company's local time, in the recipient's language, with a link
that opens the right page; ``notify`` run twice sends nothing more.
"""
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from metrics.models import Measurement
from notifications.models import Channel, Kind, Notification, Status
from reviews.models import ReviewStatus, Task
from reviews.services import review_open_for_week
from tests.notifications.conftest import link_of, notify

pytestmark = pytest.mark.django_db


def _subjects(mailbox, address):
    return [m["Subject"] for m in mailbox.to(address)]


def _opens(user, path):
    client = Client()
    client.force_login(user)
    return client.get(path).status_code


def test_numbers_due_waits_for_the_company_time_then_reaches_each_member_in_their_language(
        org, smtp):
    with time_machine.travel("2026-12-07T08:59+09:00", tick=False):
        notify("2026-12-07T08:59+09:00")
    assert not [m for m in smtp.messages if "Sales" in m["Subject"]]

    with time_machine.travel("2026-12-07T09:00+09:00", tick=False):
        printed = notify("2026-12-07T09:00+09:00")
    assert "queued numbers_due team:" in printed
    (mia,) = smtp.to("mia@example.com")
    (ken,) = smtp.to("ken@example.com")
    assert mia["Subject"] == "Numbers due for Sales"
    assert ken["Subject"] == "Salesの数値入力のお願い"
    assert "Leads" in mia.get_body(("plain",)).get_content()
    assert "リード数" in ken.get_body(("plain",)).get_content()
    assert link_of(ken) == "/acme/teams/sales/numbers/"
    assert _opens(org.member, link_of(ken)) == 200
    assert str(mia["List-Unsubscribe"]).strip().startswith("<http://testserver/accounts/unsubscribe/")
    assert mia["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Leads" in mia.get_body(("html",)).get_content()


def test_second_reminder_then_the_manager_alone_and_nothing_once_numbers_are_in(org, smtp):
    for at in ("2026-12-07T09:00+09:00", "2026-12-08T09:05+09:00"):
        with time_machine.travel(at, tick=False):
            notify(at)
    assert _subjects(smtp, "ken@example.com") == ["Salesの数値入力のお願い",
                                                  "再送: Salesの数値入力のお願い"]
    # The monthly KPI gets its number; the weekly one is still missing at the escalation.
    Measurement.objects.create(company=org.company, kpi=org.revenue,
                               period_start=date(2026, 11, 1), value=Decimal(100))
    with time_machine.travel("2026-12-09T09:00+09:00", tick=False):
        notify("2026-12-09T09:00+09:00")
    assert len(smtp.to("ken@example.com")) == 2  # members are not escalated to
    escalation = smtp.to("mia@example.com")[-1]
    assert escalation["Subject"] == "Numbers still missing in Sales"
    text = escalation.get_body(("plain",)).get_content()
    assert "Leads" in text and "Revenue" not in text

    # Next week: every number is in, nobody is reminded.
    Measurement.objects.create(company=org.company, kpi=org.leads,
                               period_start=date(2026, 12, 7), value=Decimal(5))
    smtp.clear()
    with time_machine.travel("2026-12-14T09:00+09:00", tick=False):
        notify("2026-12-14T09:00+09:00")
    assert not [m for m in smtp.messages if "Sales" in m["Subject"]]


def test_notify_twice_sends_nothing_more(org, smtp):
    with time_machine.travel("2026-12-07T09:00+09:00", tick=False):
        notify("2026-12-07T09:00+09:00")
        first = len(smtp.messages)
        printed = notify("2026-12-07T09:00+09:00")
    assert first >= 2
    assert len(smtp.messages) == first
    assert "0 queued" in printed
    assert not Notification.objects.filter(status=Status.PENDING).exists()


def test_review_not_closed_by_friday_evening_tells_the_manager(org, smtp):
    review = review_open_for_week(team=org.team, day=date(2026, 12, 7))
    with time_machine.travel("2026-12-11T17:59+09:00", tick=False):
        notify("2026-12-11T17:59+09:00")
    assert not [m for m in smtp.messages if "review" in m["Subject"]]
    with time_machine.travel("2026-12-11T18:00+09:00", tick=False):
        notify("2026-12-11T18:00+09:00")
    (mail,) = [m for m in smtp.to("mia@example.com") if "review" in m["Subject"]]
    assert mail["Subject"] == "The weekly review of Sales is not closed"
    assert "2026-W50" in mail.get_body(("plain",)).get_content()
    assert link_of(mail) == "/acme/teams/sales/reviews/2026-W50/"
    assert _opens(org.manager, link_of(mail)) == 200
    assert not [m for m in smtp.to("ken@example.com") if "レビュー" in m["Subject"]]

    # Closed the next week: that week's deadline passes in silence.
    WeeklyReview = type(review)
    nxt = review_open_for_week(team=org.team, day=date(2026, 12, 14))
    WeeklyReview.objects.filter(pk=nxt.pk).update(status=ReviewStatus.CLOSED)
    smtp.clear()
    with time_machine.travel("2026-12-18T18:30+09:00", tick=False):
        notify("2026-12-18T18:30+09:00")
    assert not [m for m in smtp.messages if "review" in m["Subject"]]


def _task(org, title, due):
    review = review_open_for_week(team=org.team, day=date(2026, 11, 30))
    return Task.objects.create(team=org.team, review=review, title=title, owner=org.member,
                               due_date=due)


def test_tasks_due_tomorrow_overdue_and_a_week_overdue(org, smtp):
    _task(org, "Call the distributor", date(2026, 12, 8))
    _task(org, "Fix the landing page", date(2026, 12, 4))
    _task(org, "Rewrite the offer", date(2026, 11, 30))
    with time_machine.travel("2026-12-07T08:30+09:00", tick=False):
        notify("2026-12-07T08:30+09:00")
    # Before 09:00 Tokyo it is still yesterday's round: tomorrow's task is not announced.
    assert not [m for m in smtp.to("ken@example.com") if "明日" in m["Subject"]]
    with time_machine.travel("2026-12-07T09:00+09:00", tick=False):
        notify("2026-12-07T09:00+09:00")
        notify("2026-12-07T09:00+09:00")
    ken = sorted(s for s in _subjects(smtp, "ken@example.com") if "期限" in s)
    assert ken == ["期限は明日: Call the distributor", "期限切れ: Fix the landing page",
                   "期限切れ: Rewrite the offer"]
    mia = [s for s in _subjects(smtp, "mia@example.com") if "week" in s]
    assert mia == ["Overdue for a week: Rewrite the offer"]
    (mail,) = [m for m in smtp.to("ken@example.com") if "明日" in m["Subject"]]
    assert link_of(mail) == "/acme/tasks/"
    assert _opens(org.member, link_of(mail)) == 200
    assert Notification.objects.filter(kind=Kind.TASK_OVERDUE, channel=Channel.EMAIL).count() == 2
    # Done tasks are not chased.
    Task.objects.filter(title="Fix the landing page").update(status="done")
    smtp.clear()
    with time_machine.travel("2026-12-08T09:00+09:00", tick=False):
        notify("2026-12-08T09:00+09:00")
    assert not [m for m in smtp.messages if "Fix the landing page" in m["Subject"]]


def test_quiet_hours_hold_an_email_until_they_end(org, smtp):
    from datetime import time

    from notifications.models import UserSettings

    UserSettings.objects.update_or_create(user=org.member, defaults={
        "quiet_start": time(8, 0), "quiet_end": time(10, 0)})
    with time_machine.travel("2026-12-07T09:00+09:00", tick=False):
        notify("2026-12-07T09:00+09:00")
    assert not smtp.to("ken@example.com")
    assert smtp.to("mia@example.com")
    with time_machine.travel("2026-12-07T10:00+09:00", tick=False):
        notify("2026-12-07T10:00+09:00")
    assert [m["Subject"] for m in smtp.to("ken@example.com")] == ["Salesの数値入力のお願い"]


def test_key_result_check_in_due_reaches_the_objective_owner_unless_checked_in(org, smtp):
    from core.quarters import quarter_of
    from okrs.services import checkin_create, key_result_save, objective_create

    objective = objective_create(team=org.team, quarter=quarter_of(date(2026, 12, 7)),
                                 title="Win the year-end", owner=org.member)
    calls = key_result_save(objective=objective, title="40 sales calls a week", kind="metric",
                            target=Decimal(40), start=Decimal(10))
    visits = key_result_save(objective=objective, title="10 demos", kind="metric",
                             target=Decimal(10), start=Decimal(0))
    with time_machine.travel("2026-12-03T10:00+09:00", tick=False):
        checkin_create(key_result=visits, confidence=7, author=org.member)
    with time_machine.travel("2026-12-07T09:00+09:00", tick=False):
        notify("2026-12-07T09:00+09:00")
        notify("2026-12-07T09:00+09:00")
    mails = [m for m in smtp.to("ken@example.com") if "チェックイン" in m["Subject"]]
    assert [str(m["Subject"]).strip() for m in mails] == [f"チェックインのお願い: {calls.title}"]
    assert link_of(mails[0]) == "/acme/teams/sales/okrs/"
    assert _opens(org.member, link_of(mails[0])) == 200
    assert not [m for m in smtp.to("mia@example.com") if "Check-in" in m["Subject"]]


def test_the_beat_tick_queues_and_sends_what_is_due(org, smtp, celery_eager):
    from notifications.tasks import notifications_tick

    with time_machine.travel("2026-12-07T09:00+09:00", tick=False):
        # In-app + email each: numbers due for Ken and Mia, the Monday digest for Eri.
        assert notifications_tick.delay().get() == 6
        assert notifications_tick.delay().get() == 0
    assert sorted(m["To"] for m in smtp.messages) == [
        "eri@example.com", "ken@example.com", "mia@example.com"]

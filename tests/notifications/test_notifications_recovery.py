"""Sends recover by themselves: a review closed and a note written while the broker (a Redis
this test starts) was down get their emails once it is back, through the reaper; due outbox
rows are handed to a worker within a minute; nothing is sent twice."""
from datetime import date, timedelta

import pytest
from django.utils import timezone

from notifications.models import Channel, Kind, Notification, Status
from notifications.recovery import notifications_reap
from notifications.services import Message, notification_queue, preference_set
from notifications.tasks import notifications_send
from reviews.models import Note, ReviewStatus, WeeklyReview
from reviews.services import note_add, review_close
from teams.models import Membership
from tests.celery_fixtures import SentTask, wait_for
from tests.reviews.factories import review_for
from tests.smtp_server import smtp_server  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)
LATER = timedelta(minutes=3)


def _reap(now=None):
    task = SentTask()
    return notifications_reap(send_task=task, now=now), task.args


def test_the_review_emails_written_while_the_broker_was_down_leave_once_it_is_back(
        world, own_broker, smtp_server, celery_worker_process, settings):  # noqa: F811
    for role in ("manager", "member"):
        user = world.user(role)
        user.email = f"{role}@acme.example"
        user.save()
    manager = Membership.objects.get(company=world.company, user=world.user("manager"))
    review = review_for(world.team, day=date(2026, 3, 2))
    own_broker.stop()
    note = note_add(review=review, membership=manager, kind="lowlight",
                    text=f"CVR fell, @{world.user('member').username} please check")
    review, closed = review_close(review=review, membership=manager,
                                  no_decision_reason="Holiday week, numbers steady")
    assert closed and review.status == ReviewStatus.CLOSED
    own_broker.start()
    celery_worker_process(redis_url=own_broker.url, env={
        "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(settings.EMAIL_PORT),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"})
    # The beat's reaper: the digest (2 people) and the notice (1), in-app and by email.
    counts = notifications_reap(send_task=notifications_send)
    assert counts == {"queued": 6, "outbox": 1}
    wait_for(lambda: len(smtp_server.messages), lambda n: n >= 3)
    assert WeeklyReview.objects.get(pk=review.pk).digest_sent_at is not None
    assert Note.objects.get(pk=note.pk).mentions_notified_at is not None
    recipients = sorted(m["To"] for m in smtp_server.messages)
    # The digest to both team members, the mention notice to the member.
    assert recipients == ["manager@acme.example", "member@acme.example",
                          "member@acme.example"]
    # The worker marks a row sent when its send commits, just after the SMTP server has the
    # message: wait for that, not for the messages alone (the reap raced it under load).
    wait_for(lambda: Notification.objects.filter(channel=Channel.EMAIL,
                                                 status=Status.PENDING).count(),
             lambda n: n == 0)
    # Queued and sent: nothing left for a later reap.
    assert _reap(now=timezone.now() + LATER)[0] == {"queued": 0, "outbox": 0}


def test_due_outbox_rows_are_handed_to_a_worker_and_only_when_some_wait(world):
    assert _reap()[0]["outbox"] == 0
    member = world.user("member")
    member.email = "member@acme.example"
    member.save()
    preference_set(user=member, kind=Kind.ANOMALY, enabled=True, channel=Channel.EMAIL)
    notification_queue(company=world.company, recipient=member, kind=Kind.ANOMALY,
                       object_key="anomaly:1:2026-11-30", period_key="2026-11-30",
                       build=lambda: Message(subject="Leads dropped", lines=["Leads fell."],
                                             link_path="/acme/", link_label="Open"))
    waiting = Notification.objects.filter(status=Status.PENDING).exclude(
        channel=Channel.IN_APP)
    assert waiting.count() == 1
    counts, sent = _reap(now=timezone.now() + timedelta(days=1))
    assert counts["outbox"] == 1 and sent == [()]
    waiting.update(status=Status.SENT, sent_at=timezone.now())
    assert _reap(now=timezone.now() + timedelta(days=1))[0]["outbox"] == 0

"""The review's digest and @mention notices leave through the outbox: in each reader's
language, once however often the queueing runs, and retried — not lost — when the SMTP
server (a real one, aiosmtpd) refuses or the worker sending them is killed."""
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from notifications.delivery import send_due
from notifications.models import Channel, Kind, Notification, Status
from notifications.recovery import notifications_reap
from notifications.review_mail import review_mail_queue
from notifications.services import preference_set
from reviews.models import WeeklyReview
from reviews.services import note_add, review_close, review_reopen
from teams.models import Membership
from tests.celery_fixtures import SentTask, requeue_unacked, wait_for
from tests.concurrency import at_once, errors_in
from tests.reviews.factories import decision_with_task, review_for
from tests.smtp_server import body_of

LATER = timedelta(minutes=3)


def _manager(org):
    return Membership.objects.get(company=org.company, user=org.manager)


def _closed_review(org):
    review = review_for(org.team)
    decision_with_task(review, org.leads, org.member)
    review, closed = review_close(review=review, membership=_manager(org))
    assert closed
    return review


@pytest.mark.django_db
def test_the_digest_reaches_each_team_member_in_their_language(org, smtp):
    review = _closed_review(org)

    assert smtp.messages == []  # closing only leaves the digest waiting
    counts = notifications_reap(send_task=SentTask())
    assert counts == {"queued": 4, "outbox": 1}  # in-app + email for Mia and Ken
    send_due()

    (mia,) = smtp.to("mia@example.com")
    (ken,) = smtp.to("ken@example.com")
    assert mia["Subject"] == f"Weekly review closed: Sales {review.week_label}"
    assert "Decisions" in body_of(mia) and "First step" in body_of(mia)
    assert "Open the review" in body_of(mia)
    assert "週次レビュー" in ken["Subject"] and "決定" in body_of(ken)
    assert mia.get_body(preferencelist=("html",)) is not None
    assert mia["List-Unsubscribe"]
    assert WeeklyReview.objects.get(pk=review.pk).digest_sent_at is not None


@pytest.mark.django_db
def test_a_double_run_sends_the_digest_and_the_mention_once(org, smtp):
    review = review_for(org.team)
    note_add(review=review, membership=_manager(org), kind="lowlight",
             text="Leads fell, @ken please check the form")
    decision_with_task(review, org.leads, org.member)
    review_close(review=review, membership=_manager(org))

    for _run in range(2):
        review_mail_queue()
        send_due()
        notifications_reap(send_task=SentTask(), now=timezone.now() + LATER)
        send_due(now=timezone.now() + LATER)

    assert sorted(m["To"] for m in smtp.messages) == [
        "ken@example.com", "ken@example.com", "mia@example.com"]  # 2 digests, 1 mention
    (mention,) = [m for m in smtp.to("ken@example.com") if "メンション" in m["Subject"]
                  or "mentioned" in m["Subject"]]
    assert "Leads fell, @ken please check the form" in body_of(mention)
    assert Notification.objects.filter(kind=Kind.MENTION, channel=Channel.EMAIL).count() == 1


@pytest.mark.django_db
def test_a_review_closed_again_sends_a_digest_of_the_new_close(org, smtp):
    review = _closed_review(org)
    review_mail_queue()
    review_reopen(review=review, membership=_manager(org), reason="Wrong number")
    review_close(review=review, membership=_manager(org))
    review_mail_queue()
    send_due()

    assert len(smtp.to("mia@example.com")) == 2


@pytest.mark.django_db
def test_a_refused_send_is_retried_once_and_delivered_once(org, smtp):
    _closed_review(org)
    smtp.refuse_next("451 4.3.0 Mailbox busy, try later")
    review_mail_queue()

    first = send_due()
    assert first == {"sent": 1, "retry": 1, "failed": 0}  # one refused, the other sent
    (refused,) = Notification.objects.filter(kind=Kind.REVIEW_DIGEST, channel=Channel.EMAIL,
                                             status=Status.PENDING)
    assert "451" in refused.last_error and refused.attempts == 1

    assert send_due() == {"sent": 0, "retry": 0, "failed": 0}  # waits for its backoff
    assert send_due(now=timezone.now() + LATER) == {"sent": 1, "retry": 0, "failed": 0}
    assert send_due(now=timezone.now() + LATER) == {"sent": 0, "retry": 0, "failed": 0}
    refused.refresh_from_db()
    assert refused.status == Status.SENT and refused.attempts == 2
    assert len(smtp.refused) == 1
    assert sorted(m["To"] for m in smtp.messages) == ["ken@example.com", "mia@example.com"]


@pytest.mark.django_db
def test_a_person_who_turned_the_digest_off_gets_none(org, smtp):
    preference_set(user=org.member, kind=Kind.REVIEW_DIGEST, enabled=False)
    _closed_review(org)
    review_mail_queue()
    send_due()
    assert [m["To"] for m in smtp.messages] == ["mia@example.com"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_queue_the_digest_once(org, smtp):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    _closed_review(org)
    assert not errors_in(at_once([lambda: (review_mail_queue(), send_due())] * 2))
    assert sorted(m["To"] for m in smtp.messages) == ["ken@example.com", "mia@example.com"]


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_leads_to_one_mention_email(org, smtp, settings,
                                                             celery_worker_process):
    from notifications.tasks import notifications_send

    review = review_for(org.team)
    # The note's own send at its commit is tested above; here the test sends by itself.
    from notifications.tasks import review_mail_waiting_sent
    from reviews.signals import review_mail_waiting

    uid = "notifications.review_mail_waiting"
    assert review_mail_waiting.disconnect(dispatch_uid=uid)
    try:
        note_add(review=review, membership=_manager(org), kind="lowlight",
                 text="Leads fell, @ken please check the form")
    finally:
        review_mail_waiting.connect(review_mail_waiting_sent, dispatch_uid=uid)
    review_mail_queue()
    (row,) = Notification.objects.filter(kind=Kind.MENTION, channel=Channel.EMAIL)
    gate = smtp.hold_next()
    env = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(settings.EMAIL_PORT),
           "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"}

    first = celery_worker_process(include=["notifications.tasks"], env=env)
    notifications_send.delay()
    wait_for(lambda: len(smtp.held), lambda n: n == 1)  # the message is in, no answer yet
    first.kill()
    gate.set()
    row.refresh_from_db()
    assert row.status == Status.PENDING and row.attempts == 0  # the claim rolled back

    assert requeue_unacked() == 1
    second = celery_worker_process(include=["notifications.tasks"], env=env)
    wait_for(lambda: Notification.objects.get(pk=row.pk).status, lambda s: s == Status.SENT)
    notifications_send.delay()  # a later run finds nothing to send
    second.wait_idle()
    assert [m["To"] for m in smtp.messages] == ["ken@example.com"]
    assert Notification.objects.get(pk=row.pk).attempts == 1


@pytest.mark.django_db
def test_closing_and_mentioning_send_at_commit_without_waiting_for_the_reaper(
        org, smtp, celery_eager, django_capture_on_commit_callbacks):
    """`make run` has no beat: the close and the note enqueue the send when they commit."""
    review = review_for(org.team)
    with django_capture_on_commit_callbacks(execute=True):
        note_add(review=review, membership=_manager(org), kind="lowlight",
                 text="Leads fell, @ken please check the form")
    assert [m["To"] for m in smtp.messages] == ["ken@example.com"]
    decision_with_task(review, org.leads, org.member)
    with django_capture_on_commit_callbacks(execute=True):
        review_close(review=review, membership=_manager(org))
    assert sorted(m["To"] for m in smtp.messages) == [
        "ken@example.com", "ken@example.com", "mia@example.com"]
    # A note without a mention sends nothing.
    review_reopen(review=review, membership=_manager(org))
    with django_capture_on_commit_callbacks(execute=True) as plain:
        note_add(review=review, membership=_manager(org), kind="highlight", text="Fine week")
    assert plain == [] and len(smtp.messages) == 3

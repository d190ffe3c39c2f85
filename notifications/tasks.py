"""Celery tasks of the notifications: thin, no arguments that matter, safe to run twice."""
from celery import shared_task
from django.db import OperationalError

from core.queue import send_on_commit
from notifications import delivery, due, recovery


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=5,
             max_retries=5)
def notifications_send():
    """Send what the outbox holds and is due; failures wait for their backoff."""
    return delivery.send_due()


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=5,
             max_retries=3)
def notifications_tick():
    """Beat, every few minutes: queue what has come due, then send it."""
    queued = len(due.notifications_due())
    delivery.send_due()
    return queued


@shared_task
def notifications_reap():
    """Beat, every minute: queue the review emails waiting, hand due outbox rows to a worker
    (``notifications.recovery``)."""
    return recovery.notifications_reap(send_task=notifications_send)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=5,
             max_retries=3)
def review_mail_send():
    """A review closed or a note mentioned someone: queue those emails, then send them.

    Idempotent like the reaper it runs (the outbox's unique keys): a second run queues and
    sends nothing more."""
    return recovery.notifications_reap(send_task=notifications_send)


def review_mail_waiting_sent(sender, **kwargs):
    """reviews' ``review_mail_waiting``: enqueue the send once the transaction commits.

    Through ``core.queue``: with the broker away the close still succeeds and the reaper
    sends the mail once it is back."""
    send_on_commit(review_mail_send)

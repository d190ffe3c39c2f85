"""Celery tasks of the notifications: thin, no arguments that matter, safe to run twice."""
from celery import shared_task
from django.db import OperationalError

from notifications import delivery, due, recovery
from reviews.notify import send_mention_emails, send_review_digest


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
    """Beat, every minute: send what waits in the outbox and the review emails whose
    message was lost (``notifications.recovery``)."""
    return recovery.notifications_reap(send_task=notifications_send,
                                       digest_task=send_review_digest,
                                       mention_task=send_mention_emails)

"""Celery tasks of the notifications: thin, no arguments that matter, safe to run twice."""
from celery import shared_task
from django.db import OperationalError

from notifications import delivery, due


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

"""Celery tasks of the weekly review: thin, ids in, safe to run twice."""
from celery import shared_task

from . import notify, services


@shared_task
def open_weekly_reviews():
    """Monday 06:00: this week's review for every team (idempotent)."""
    return services.reviews_open_this_week()


@shared_task
def send_review_digest(review_id):
    return notify.review_digest_send(review_id=review_id)


@shared_task
def send_mention_emails(note_id):
    return notify.mention_emails_send(note_id=note_id)

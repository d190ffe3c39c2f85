"""Celery tasks of the weekly review: thin, ids in, safe to run twice."""
from celery import shared_task

from reviews import services


@shared_task
def open_weekly_reviews():
    """Monday 06:00: this week's review for every team (idempotent)."""
    return services.reviews_open_this_week()

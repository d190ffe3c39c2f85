"""Celery tasks of teams: thin, safe to run twice."""
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from teams.models import FormSubmission


@shared_task
def form_keys_forget():
    """Beat, daily: forget the keys of forms posted more than a day ago."""
    old = timezone.now() - timedelta(days=1)
    return FormSubmission.objects.filter(created_at__lt=old).delete()[0]

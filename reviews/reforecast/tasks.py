"""Celery tasks of the monthly reforecast: thin, ids in, safe to run twice."""
from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError

from core.recovery import holding
from reviews.reforecast import recovery
from reviews.reforecast import services as reforecast
from reviews.reforecast.recovery import HOLD
from teams.models import Company


# A monthly reforecast must finish (or give up) well within the broker's visibility
# timeout (CELERY_BROKER_TRANSPORT_OPTIONS), or Redis would hand the same message to a
# second worker meanwhile.
@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=600, time_limit=660,
             autoretry_for=(OperationalError,), retry_backoff=5, max_retries=3)
def reforecast_run(reforecast_id):
    """Fill one month's snapshot; a done snapshot is left as it is.

    The worker holds the snapshot (``core.recovery.holding``) while it computes: a second
    message for it steps aside, and the reaper knows a running row nobody holds is orphaned.
    """
    with holding(HOLD, reforecast_id) as mine:
        if not mine:
            return "held"
        try:
            return reforecast.reforecast_compute(reforecast_id=reforecast_id).status
        except SoftTimeLimitExceeded:
            reforecast.reforecast_fail(reforecast_id=reforecast_id, reason="time limit")
            raise


@shared_task
def reforecast_reap():
    """Beat, every minute: send again the snapshots whose worker died or whose message was
    lost (broker down); fail, with a reason, one that killed its worker too often."""
    return recovery.reforecasts_reap(run_task=reforecast_run)


@shared_task
def reforecast_monthly():
    """The 1st of the month: queue this month's snapshot for every company with a KGI."""
    queued = 0
    for company_id in reforecast.companies_due_for_reforecast():
        row, needs_run = reforecast.reforecast_request(company=Company(pk=company_id))
        if needs_run:
            reforecast_run.delay_on_commit(row.pk)
            queued += 1
    return queued

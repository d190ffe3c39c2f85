"""Celery tasks of customers: thin, ids in, safe to run twice (customers.roster_jobs)."""
from celery import shared_task

from customers import roster_jobs


@shared_task(acks_late=True, reject_on_worker_lost=True)
def roster_analyze_task(batch_id):
    return roster_jobs.roster_analyze(batch_id=batch_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def roster_commit_task(batch_id):
    return roster_jobs.roster_commit_run(batch_id=batch_id)


@shared_task
def roster_reap_task():
    """Beat, every minute: roster work whose worker died or whose message was lost."""
    return roster_jobs.roster_reap(analyze_task=roster_analyze_task,
                                   commit_task=roster_commit_task)

"""Celery tasks for sources: thin, ids in, safe to run twice (a run happens once per key)."""
from celery import shared_task
from django.utils import timezone

from metrics.sources import recovery
from metrics.sources.recovery import source_run_held
from metrics.sources.services import sources_due


@shared_task(acks_late=True)
def source_run_task(source_id, key):
    """Run one source for one key; a key already run, or one another worker holds, is left
    alone (``metrics.sources.recovery``)."""
    source_run_held(source_id=source_id, key=key)


@shared_task
def sources_reap():
    """Beat, every minute: send again the runs whose worker died or whose message was lost."""
    return recovery.sources_reap(run_task=source_run_task)


@shared_task
def sources_run_due():
    """Fan out: one run per source whose scheduled slot came due."""
    for source_id, key in sources_due(timezone.now()):
        source_run_task.delay_on_commit(source_id, key)

"""Celery tasks for sources: thin, ids in, safe to run twice (a run happens once per key)."""
from celery import shared_task
from django.utils import timezone

from metrics.sources.models import DataSource
from metrics.sources.services import source_run, sources_due


@shared_task(acks_late=True)
def source_run_task(source_id, key):
    """Run one source for one key; a key already run is left alone."""
    source = DataSource.objects.select_related("company", "owner").filter(pk=source_id).first()
    if source is not None:
        source_run(source=source, key=key)


@shared_task
def sources_run_due():
    """Fan out: one run per source whose scheduled slot came due."""
    for source_id, key in sources_due(timezone.now()):
        source_run_task.delay_on_commit(source_id, key)

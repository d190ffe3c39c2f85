"""Celery tasks of the metrics app: thin, ids in, safe to run twice."""
from celery import shared_task

from metrics.imports import import_analyze, import_commit
from metrics.models import ImportBatch, ImportStatus


@shared_task
def import_analyze_task(batch_id):
    """Check a large upload in the background (skipped when already checked)."""
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.status not in {ImportStatus.UPLOADED, ImportStatus.ANALYZING}:
        return
    import_analyze(batch=batch)


@shared_task
def import_commit_task(batch_id):
    """Import a checked upload; a batch already imported is left alone."""
    import_commit(batch_id=batch_id)

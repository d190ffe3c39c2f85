"""Celery tasks of the metrics app: thin, ids in, safe to run twice."""
from celery import shared_task
from django.db import transaction

from metrics.imports import import_analyze_locked, import_commit, import_mark_failed
from metrics.models import ImportBatch, ImportStatus
from metrics.recovery import imports_reap


@shared_task
def import_analyze_task(batch_id):
    """Check a large upload in the background (skipped when already checked).

    The batch row stays locked while it is checked: the reaper knows a batch somebody is
    checking from one whose worker died. An unexpected error marks it failed.
    """
    try:
        with transaction.atomic():
            # The kept file is read from its row a block at a time, never loaded whole.
            batch = ImportBatch.objects.select_for_update(of=("self",)).select_related(
                "company").defer("data", "changes").filter(pk=batch_id).first()
            if batch is None or batch.status not in {ImportStatus.UPLOADED,
                                                     ImportStatus.ANALYZING}:
                return
            import_analyze_locked(batch)
    except Exception:
        import_mark_failed(batch_id)
        raise


@shared_task
def import_commit_task(batch_id):
    """Import a checked upload; a batch already imported is left alone."""
    import_commit(batch_id=batch_id)


@shared_task
def imports_reap_task():
    """Beat, every minute: send again the import work whose worker died or message got lost."""
    return imports_reap(analyze_task=import_analyze_task, commit_task=import_commit_task)


@shared_task(acks_late=True)
def anomalies_detect_task(company_id):
    """Re-run the detector for one company (replaces its recent findings: idempotent)."""
    from metrics.analytics.anomaly_detection import anomalies_detect
    from teams.models import Company

    company = Company.objects.filter(pk=company_id).first()
    if company is not None:
        return anomalies_detect(company=company)


@shared_task
def anomalies_nightly():
    """Fan out: one detector run per company."""
    from teams.models import Company

    for company_id in Company.objects.values_list("pk", flat=True):
        anomalies_detect_task.delay_on_commit(company_id)


@shared_task
def fact_counts_compact():
    """Fold the dashboard's kept count deltas into one row per group (idempotent)."""
    from metrics.facts.counts import counts_compact

    return counts_compact()

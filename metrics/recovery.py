"""Import runs that recover by themselves: the reaper behind the ``imports-reap`` beat.

No heartbeat row is needed for a commit: ``import_commit`` holds the batch's row lock for
its whole transaction, and a worker that dies loses its connection and with it the lock.
So a "running" batch whose row can be locked has nobody working on it. The analysis task
holds the lock the same way. A "queued" or "analyzing" batch nobody holds and that has
waited longer than ``STALE_AFTER`` lost its message (or was stored while the broker was
down). Either is sent again; the tasks are idempotent, so a message that was only slow
does no harm (the second run waits for the lock, then finds the batch finished).
"""
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.queue import send
from metrics.models import ImportBatch, ImportStatus

STALE_AFTER = timedelta(minutes=2)


def imports_reap(*, analyze_task, commit_task, now=None) -> dict:
    """Send again the import work nobody holds; returns {"commit": n, "analyze": n}."""
    now = now or timezone.now()
    waited = now - STALE_AFTER
    with transaction.atomic():
        orphans = list(
            ImportBatch.objects.select_for_update(skip_locked=True)
            .filter(Q(status=ImportStatus.RUNNING)
                    | Q(status=ImportStatus.QUEUED, commit_requested_at__lt=waited)
                    | Q(status=ImportStatus.ANALYZING, created_at__lt=waited))
            .values_list("pk", "status")
        )
    sent = {"commit": 0, "analyze": 0}
    for pk, status in orphans:
        if status == ImportStatus.ANALYZING:
            sent["analyze"] += send(analyze_task, pk)
        else:
            sent["commit"] += send(commit_task, pk)
    return sent

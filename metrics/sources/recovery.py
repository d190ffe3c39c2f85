"""Source runs that recover by themselves: the worker's hold and the ``sources-reap`` beat.

A run is a ``SourceRun`` row (unique per source and key) stored *before* its message is
sent ("run now" on the page and the API), so the row is the outbox. The worker holds the
row (``core.recovery.holding``) for the whole run, fetch included. The reaper finds the
``running`` rows nobody holds that are older than ``STALE_AFTER``: their worker died, or
their message was lost while the broker was down. It sends them again, until a run is
``GIVE_UP_AFTER`` old: then it is failed with a reason (the next slot or "run now" tries
again), so a source that kills its worker every time cannot loop for ever.
"""
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.queue import send
from core.recovery import STALE_AFTER, held, holding
from metrics.sources.models import DataSource, RunStatus, SourceRun
from metrics.sources.services import source_run

HOLD = "source-run"
GIVE_UP_AFTER = STALE_AFTER * 15  # 30 minutes


def source_run_held(*, source_id: int, key: str):
    """Run one source for one key while holding its run; a run another worker holds, or a
    key already run, is left alone."""
    source = DataSource.objects.select_related("company", "owner").filter(pk=source_id).first()
    if source is None:
        return None
    try:
        run, _created = SourceRun.objects.get_or_create(source=source, key=key)
    except IntegrityError:  # two messages raced; the other one created it
        run = SourceRun.objects.get(source=source, key=key)
    if run.status != RunStatus.RUNNING:
        return run
    with holding(HOLD, run.pk) as mine:
        return source_run(source=source, key=key) if mine else run


def sources_reap(*, run_task, now=None) -> dict:
    """Send again (or fail) the runs nobody works on; {"sent": n, "failed": n}."""
    now = now or timezone.now()
    rows = list(SourceRun.objects.filter(status=RunStatus.RUNNING,
                                         started_at__lt=now - STALE_AFTER)
                .values_list("pk", "source_id", "key", "started_at",
                             "source__company__language"))
    holders = held(HOLD)  # read after the rows: a worker that took one since holds it
    counts = {"sent": 0, "failed": 0}
    for pk, source_id, key, started_at, language in rows:
        if pk in holders:
            continue
        if started_at < now - GIVE_UP_AFTER:
            with override(language or None):
                reason = _("The run stopped before it finished (its worker was lost or the "
                           "queue was unavailable). The next run will try again.")
            counts["failed"] += (SourceRun.objects.filter(pk=pk, status=RunStatus.RUNNING)
                                 .update(status=RunStatus.FAILED, error=reason,
                                         finished_at=now))
        else:
            counts["sent"] += send(run_task, source_id, key)
    return counts

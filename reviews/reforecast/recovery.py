"""Reforecast runs that recover by themselves: the reaper behind the ``reforecast-reap`` beat.

``reforecast_run`` holds its snapshot (``core.recovery.holding``) while it computes. So:

- a *running* snapshot nobody holds lost its worker (killed, out of memory): it is sent
  again at once, or, after ``MAX_ATTEMPTS`` starts, failed with a reason the page shows (a
  snapshot that kills its worker every time would otherwise loop for ever);
- a *pending* snapshot nobody holds that has waited more than ``STALE_AFTER`` lost its
  message (stored while the broker was down): it is sent again.

The task is idempotent (a done snapshot is left alone; a second message steps aside while
the first one computes), so a message that was only slow does no harm.
"""
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.queue import send
from core.recovery import STALE_AFTER, held
from reviews.models import Reforecast, ReforecastStatus

HOLD = "reforecast"
MAX_ATTEMPTS = 3


def orphaned(pk: int) -> bool:
    """True when the snapshot is running but no worker holds it (its worker died)."""
    return pk not in held(HOLD)


def reforecasts_reap(*, run_task, now=None) -> dict:
    """Send again (or fail) the snapshots nobody works on; {"sent": n, "failed": n}."""
    now = now or timezone.now()
    waited = now - STALE_AFTER
    rows = list(Reforecast.objects.filter(Q(status=ReforecastStatus.RUNNING)
                                          | Q(status=ReforecastStatus.PENDING,
                                              created_at__lt=waited))
                .values_list("pk", "status", "attempts", "company__language"))
    # Read after the rows: a worker that took one since is seen holding it.
    holders = held(HOLD)
    counts = {"sent": 0, "failed": 0}
    for pk, status, attempts, language in rows:
        if pk in holders:
            continue
        if status == ReforecastStatus.RUNNING and attempts >= MAX_ATTEMPTS:
            with override(language or None):
                reason = _("The computation stopped %(count)s times (its worker was lost). "
                           "Try again; if it stops again, tell your administrator.") % {
                    "count": attempts}
            updated = (Reforecast.objects.filter(pk=pk, status=ReforecastStatus.RUNNING)
                       .update(status=ReforecastStatus.FAILED, error=reason[:300], progress=0))
            counts["failed"] += updated
        else:
            counts["sent"] += send(run_task, pk)
    return counts

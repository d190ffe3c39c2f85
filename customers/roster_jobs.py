"""Large rosters run on a worker, with the same atomicity as measurement imports.

A request never reads or applies a large roster itself. ``roster_upload`` stores a file over
``SYNC_MAX_BYTES`` as an ``analyzing`` batch (the row is the outbox: the view sends
``roster_analyze_task`` after the commit), and ``roster_commit_request`` turns a preview of
more than ``SYNC_MAX_ROWS`` rows into a ``queued`` batch with the person who clicked
(``commit_requested_by``). The worker reads (``roster_analyze``) or applies
(``roster_commit_run``) under the batch's row lock, in one transaction: all or nothing, and the
lock is the heartbeat — a killed worker's lock goes with its connection, and ``roster_reap``
(the ``roster-reap`` beat, ``SELECT … FOR UPDATE SKIP LOCKED``) sends again any batch still
analyzing or queued that nobody holds after ``STALE_AFTER``. The commit runs as the clicker,
whose right to enter the team's customers is checked again in the worker; a refusal or an
error marks the batch ``failed`` with the sentence, never ``queued`` for ever. Small files keep
the synchronous path (``customers.services``).
"""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.queue import send
from core.recovery import STALE_AFTER
from customers import services
from customers.models import RosterImport, RosterImportStatus
from teams.models import Membership
from teams.permissions import can

SYNC_MAX_BYTES = 150 * 1024
SYNC_MAX_ROWS = 2_000


def roster_upload(*, company, team, user, data: bytes, filename: str, as_of) -> RosterImport:
    """A small file is read now; a large one is stored ``analyzing`` for a worker."""
    if len(data) <= SYNC_MAX_BYTES:
        return services.roster_import_preview(company=company, team=team, user=user, data=data,
                                              filename=filename, as_of=as_of)
    return RosterImport.objects.create(
        company=company, team=team, uploaded_by=user, filename=filename[:255],
        as_of=as_of or timezone.localdate(), status=RosterImportStatus.ANALYZING, data=data)


def roster_analyze(*, batch_id: int) -> str:
    """Worker: read a stored upload into its preview; a batch already read is left alone."""
    with transaction.atomic():
        batch = (RosterImport.objects.select_for_update().select_related("company", "team")
                 .filter(pk=batch_id).first())
        if batch is None or batch.status != RosterImportStatus.ANALYZING:
            return batch.status if batch else "gone"
        with translation.override(batch.company.language or None):
            batch = services.roster_import_preview(
                company=batch.company, team=batch.team, user=batch.uploaded_by,
                data=bytes(batch.data), filename=batch.filename, as_of=batch.as_of, batch=batch)
    return batch.status


def roster_commit_request(*, batch: RosterImport, user) -> tuple[RosterImport, bool]:
    """Apply a small preview now; queue a large one for a worker. Returns (batch, queued)."""
    if len(batch.rows) <= SYNC_MAX_ROWS:
        return services.roster_import_commit(roster_import=batch, user=user), False
    queued = (RosterImport.objects.filter(pk=batch.pk, status=RosterImportStatus.PREVIEW,
                                          problems=[])
              .update(status=RosterImportStatus.QUEUED, commit_requested_by=user, error=""))
    if not queued:
        raise ValidationError(_("This import cannot be applied: it was already applied or "
                                "has problems."))
    batch.refresh_from_db()
    return batch, True


def _allowed(batch, user) -> bool:
    membership = Membership.objects.filter(company=batch.company, user=user).first()
    return user is not None and user.is_active and can(membership, "contribute", batch.team)


def roster_commit_run(*, batch_id: int) -> str:
    """Worker: apply a queued roster as the person who clicked, all or nothing."""
    reason = None
    try:
        with transaction.atomic():
            batch = (RosterImport.objects.select_for_update(of=("self",))
                     .select_related("company", "team", "commit_requested_by")
                     .filter(pk=batch_id).first())
            if batch is None or batch.status != RosterImportStatus.QUEUED:
                return batch.status if batch else "gone"
            user = batch.commit_requested_by
            with translation.override(batch.company.language or None):
                if not _allowed(batch, user):
                    reason = _("The person who clicked “import” may no longer enter this "
                               "team's customers.")
                else:
                    # The preview state the one writer expects, inside this transaction.
                    batch.status = RosterImportStatus.PREVIEW
                    batch.save(update_fields=["status"])
                    return services.roster_import_commit(roster_import=batch, user=user).status
    except ValidationError as refused:
        reason = " ".join(refused.messages)
    (RosterImport.objects.filter(pk=batch_id, status=RosterImportStatus.QUEUED)
     .update(status=RosterImportStatus.FAILED, error=(reason or "")[:300]))
    return RosterImportStatus.FAILED


def roster_reap(*, analyze_task, commit_task, now=None) -> dict:
    """Send again the roster work nobody holds; {"analyze": n, "commit": n}."""
    waited = (now or timezone.now()) - STALE_AFTER
    with transaction.atomic():
        orphans = list(RosterImport.objects.select_for_update(skip_locked=True)
                       .filter(Q(status=RosterImportStatus.ANALYZING)
                               | Q(status=RosterImportStatus.QUEUED), created_at__lt=waited)
                       .values_list("pk", "status"))
    sent = {"analyze": 0, "commit": 0}
    for pk, status in orphans:
        if status == RosterImportStatus.ANALYZING:
            sent["analyze"] += send(analyze_task, pk)
        else:
            sent["commit"] += send(commit_task, pk)
    return sent

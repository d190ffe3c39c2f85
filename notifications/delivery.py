"""Send what the outbox holds: one row at a time, locked, marked sent in the same transaction.

Delivery is at-least-once, by choice. A worker takes a due row with
``SELECT … FOR UPDATE SKIP LOCKED``, sends it, and records the outcome before it
commits. So a second worker (or ``notify`` run twice) never takes a row being sent, and a
sent row is never sent again. If the worker dies before the commit, the lock goes with
its connection and the row is still pending: the next run sends it. Nothing is lost; the
only duplicate possible is a message the other side accepted in the instant before the
commit (emails carry a stable Message-ID so mail systems can drop it). The other choice,
marking sent before sending (at-most-once), would silently lose the reminder of a killed
worker — worse for a product whose point is that nobody is forgotten.
"""
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from notifications.channels import SENDERS, DeliveryError
from notifications.models import Channel, Notification, Status

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 60  # 1, 2, 4, 8 minutes between tries


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=BACKOFF_SECONDS * 2 ** max(attempts - 1, 0))


def _claim(now):
    return (Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient", "company")
            .filter(status=Status.PENDING, not_before__lte=now)
            .exclude(channel=Channel.IN_APP).order_by("not_before", "pk").first())


def send_due(*, now=None, limit: int = 200) -> dict:
    """Send up to ``limit`` due rows; {"sent": n, "retry": n, "failed": n}."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for _ in range(limit):
        at = now or timezone.now()
        with transaction.atomic():
            row = _claim(at)
            if row is None:
                break
            row.attempts += 1
            try:
                SENDERS[row.channel](row)
            except DeliveryError as exc:
                row.last_error = str(exc)[:300]
                if row.attempts >= MAX_ATTEMPTS:
                    row.status = Status.FAILED
                    counts["failed"] += 1
                else:
                    # Later, not in this run: one failing channel never blocks the others.
                    row.not_before = at + backoff(row.attempts)
                    counts["retry"] += 1
            else:
                row.status, row.sent_at, row.last_error = Status.SENT, timezone.now(), ""
                counts["sent"] += 1
            row.save(update_fields=["attempts", "last_error", "status", "sent_at", "not_before"])
    return counts

"""Sends that recover by themselves: the reaper behind the ``notifications-reap`` beat.

- The outbox (``Notification``): ``delivery.send_due`` holds each row's lock while it sends
  (the heartbeat); a killed worker's row is pending again the moment its connection dies.
  When due rows wait, the reaper sends one ``notifications_send`` message, so they leave
  within a minute instead of at the next five-minute tick.
- Review emails (the digest of a closed review, @mention notices of a note): the row is
  the outbox (``digest_sent_at`` / ``mentions_notified_at`` still empty). One closed or
  written more than ``STALE_AFTER`` ago — its message was lost while the broker was down —
  is sent again, for up to ``RESEND_WITHIN``; the tasks send once per row.
"""
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from core.queue import send
from core.recovery import STALE_AFTER
from notifications.models import Channel, Notification, Status
from reviews.models import Note, ReviewStatus, WeeklyReview

RESEND_WITHIN = timedelta(days=2)


def notifications_reap(*, send_task, digest_task, mention_task, now=None) -> dict:
    """{"outbox": 0 or 1 message sent, "digests": n, "mentions": n}."""
    now = now or timezone.now()
    counts = {"outbox": 0, "digests": 0, "mentions": 0}
    if (Notification.objects.filter(status=Status.PENDING, not_before__lte=now)
            .exclude(channel=Channel.IN_APP).exists()):
        counts["outbox"] = int(send(send_task))
    window = Q(closed_at__lt=now - STALE_AFTER, closed_at__gte=now - RESEND_WITHIN)
    for pk in (WeeklyReview.objects.filter(window, status=ReviewStatus.CLOSED,
                                           digest_sent_at__isnull=True)
               .values_list("pk", flat=True)):
        counts["digests"] += send(digest_task, pk)
    for pk in (Note.objects.filter(mentions__isnull=False, mentions_notified_at__isnull=True,
                                   created_at__lt=now - STALE_AFTER,
                                   created_at__gte=now - RESEND_WITHIN)
               .values_list("pk", flat=True).distinct()):
        counts["mentions"] += send(mention_task, pk)
    return counts

"""Sends that recover by themselves: the reaper behind the ``notifications-reap`` beat.

- Review emails (the digest of a closed review, @mention notices of a note): a close or a
  note leaves its row waiting (``digest_sent_at`` / ``mentions_notified_at`` empty); the
  reaper queues them into the outbox (``review_mail.review_mail_queue``), so they leave
  within a minute, also when the broker was down at the time.
- The outbox (``Notification``): ``delivery.send_due`` holds each row's lock while it sends
  (the heartbeat); a killed worker's row is pending again the moment its connection dies.
  When due rows wait, the reaper sends one ``notifications_send`` message, so they leave
  within a minute instead of at the next five-minute tick.
"""
from django.utils import timezone

from core.queue import send
from notifications import review_mail
from notifications.models import Channel, Notification, Status


def notifications_reap(*, send_task, now=None) -> dict:
    """{"queued": review emails queued now, "outbox": 0 or 1 message sent}."""
    now = now or timezone.now()
    queued = len(review_mail.review_mail_queue(now))
    waiting = (Notification.objects.filter(status=Status.PENDING, not_before__lte=now)
               .exclude(channel=Channel.IN_APP).exists())
    return {"queued": queued, "outbox": int(send(send_task)) if waiting else 0}

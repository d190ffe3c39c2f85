"""Queue notifications: one outbox row per recipient and channel, rendered in their language.

``notification_queue`` is the one writer of ``Notification`` rows. It honours the
recipient's preference for the kind (off, or which channel), their quiet hours and their
language; the row's unique key makes queueing the same message twice a no-op.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from notifications import secrets
from notifications.models import (
    Channel,
    CompanySchedule,
    Kind,
    Notification,
    Preference,
    Status,
    UserSettings,
)

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


@dataclass
class Message:
    """What a notification says, built in the recipient's language."""

    subject: str
    lines: list[str]
    link_path: str
    link_label: str
    sections: list[dict] = field(default_factory=list)  # [{"title": str, "items": [str]}]
    attach: dict = field(default_factory=dict)  # {"reforecast_id": int} for the PDF
    data: dict = field(default_factory=dict)  # facts a later message reads back

    def text(self, link: str) -> str:
        parts = ["\n".join(self.lines)]
        for section in self.sections:
            items = "\n".join(f"- {item}" for item in section["items"]) or "-"
            parts.append(f"{section['title']}\n{items}")
        parts.append(f"{self.link_label}: {link}")
        return "\n\n".join(parts)


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def schedule_for(company) -> CompanySchedule:
    schedule, _created = CompanySchedule.objects.get_or_create(company=company)
    return schedule


def language_for(user, company) -> str:
    chosen = UserSettings.objects.filter(user=user).values_list("language", flat=True).first()
    return chosen or company.language or settings.LANGUAGE_CODE


def preference_for(user, kind: str) -> Preference:
    return (Preference.objects.filter(user=user, kind=kind).first()
            or Preference(user=user, kind=kind))


def quiet_until(user, company, now: datetime) -> datetime:
    """``now``, or the end of the user's quiet hours when ``now`` falls inside them."""
    prefs = UserSettings.objects.filter(user=user).first()
    if prefs is None or prefs.quiet_start is None or prefs.quiet_end is None:
        return now
    local = now.astimezone(company.tzinfo)
    start, end, clock = prefs.quiet_start, prefs.quiet_end, local.time()
    inside = (start <= clock < end) if start <= end else (clock >= start or clock < end)
    if not inside:
        return now
    end_at = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if end_at <= local:
        end_at += timedelta(days=1)
    return end_at


def delivery_channel(company, preference: Preference, user) -> str | None:
    """Where the message goes besides the notification centre (None: only there).

    A chosen Slack or Teams channel the company has not connected falls back to email.
    """
    channel = preference.channel
    if channel in (Channel.SLACK, Channel.TEAMS):
        schedule = schedule_for(company)
        stored = schedule.slack_webhook if channel == Channel.SLACK else schedule.teams_webhook
        if secrets.decrypt(stored):
            return channel
        channel = Channel.EMAIL
    if channel == Channel.EMAIL:
        return Channel.EMAIL if user.email else None
    return None


def notification_queue(*, company, recipient, kind: str, object_key: str, period_key: str,
                       build: Callable[[], Message], now: datetime | None = None
                       ) -> list[Notification]:
    """Queue ``kind`` about ``object_key`` for ``period_key`` to one person, once.

    Returns the rows created now (empty when they existed or the person turned it off).
    """
    now = now or timezone.now()
    key = {"kind": kind, "object_key": object_key, "recipient": recipient,
           "period_key": period_key}
    if Notification.objects.filter(**key).exists():
        return []
    preference = preference_for(recipient, kind)
    if not preference.enabled:
        return []
    language = language_for(recipient, company)
    with translation.override(language):
        message = build()
    link = absolute(message.link_path)
    common = {"company": company, "language": language, "subject": message.subject[:200],
              "body": message.text(link), "link": link[:300],
              "payload": {"sections": message.sections, "lines": message.lines,
                          "link_label": message.link_label, "attach": message.attach,
                          **message.data}}
    created = []
    with transaction.atomic():
        row, new = Notification.objects.get_or_create(
            **key, channel=Channel.IN_APP,
            defaults={**common, "status": Status.SENT, "sent_at": now, "not_before": now})
        if new:
            created.append(row)
            transaction.on_commit(lambda: _forget_unread(recipient.pk, company.pk))
        channel = delivery_channel(company, preference, recipient)
        if channel:
            row, new = Notification.objects.get_or_create(
                **key, channel=channel,
                defaults={**common, "not_before": quiet_until(recipient, company, now)})
            if new:
                created.append(row)
    return created


# ----------------------------------------------------------------- unsubscribe


def unsubscribe_token(user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(user_id: int, kind: str) -> str:
    return absolute(reverse("notification-unsubscribe",
                            kwargs={"token": unsubscribe_token(user_id, kind)}))


def unsubscribe_read(token: str) -> tuple[int, str] | None:
    """(user id, kind) of a genuine unsubscribe token, else None."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in Kind.values:
        return None
    if not isinstance(data.get("u"), int):
        return None
    return data["u"], data["k"]


def preference_set(*, user, kind: str, enabled: bool, channel: str | None = None) -> Preference:
    """Turn one kind on or off for the user (and choose its channel)."""
    defaults = {"enabled": enabled}
    if channel is not None:
        defaults["channel"] = channel
    preference, _created = Preference.objects.update_or_create(user=user, kind=kind,
                                                               defaults=defaults)
    # What was waiting to go out of that kind stays unsent.
    if not enabled:
        Notification.objects.filter(recipient=user, kind=kind, status=Status.PENDING).update(
            status=Status.FAILED, last_error="unsubscribed")
    return preference


def notifications_mark_read(*, user, company, ids=None) -> int:
    qs = Notification.objects.filter(recipient=user, company=company, channel=Channel.IN_APP,
                                     read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    marked = qs.update(read_at=timezone.now())
    _forget_unread(user.pk, company.pk)
    return marked


UNREAD_TTL = 300  # seconds; every write below forgets the count, the TTL bounds a miss


def _unread_key(user_id, company_id) -> str:
    return f"notifications:unread:{user_id}:{company_id}"


def _forget_unread(user_id, company_id) -> None:
    cache.delete(_unread_key(user_id, company_id))


# A membership's unread in-app notifications, as SQL over its row ``m`` (one range of
# notification_inbox_idx), read with the memberships (teams.membership_rows).
UNREAD_SQL = (f"SELECT COUNT(*) FROM {Notification._meta.db_table} n "
              f"WHERE n.recipient_id = m.user_id AND n.company_id = m.company_id "
              f"AND n.channel = '{Channel.IN_APP.value}' AND n.read_at IS NULL")


def unread_count(user, company, membership=None) -> int:
    """The header badge: read with the membership by the tenancy resolver (``UNREAD_SQL``),
    else cached, so a page pays no query for it (the dashboard's
    budget)."""
    if membership is not None and hasattr(membership, "notifications_unread"):
        return membership.notifications_unread
    key = _unread_key(user.pk, company.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient=user, company=company,
                                            channel=Channel.IN_APP,
                                            read_at__isnull=True).count()
        cache.set(key, count, UNREAD_TTL)
    return count

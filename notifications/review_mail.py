"""The review's messages through the outbox: the digest of a closed review, @mention notices.

Reviews sit below notifications, so a close or a note only leaves its row waiting
(``WeeklyReview.digest_sent_at`` / ``Note.mentions_notified_at`` empty); ``review_mail_queue``
— run at once when the close or note commits (reviews' ``review_mail_waiting`` signal →
``tasks.review_mail_send``), and as a fallback by the ``notifications-reap`` beat every
minute, the five-minute tick and ``manage.py notify`` — writes one ``Notification`` per recipient *and* stamps the row in one
transaction. The outbox's unique key makes a second run (or two at once) queue nothing more,
and ``delivery.send_due`` sends each row at least once with retries: a failed or killed send
is not lost, and a double run does not send twice.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.formatting import format_change, format_value
from notifications.models import Kind, Notification
from notifications.services import Message, notification_queue
from reviews.models import Note, ReviewStatus, WeeklyReview
from reviews.selectors import decorate_numbers
from teams.models import TeamMembership

# A review closed (or a note written) longer ago than this is history, not news: after a
# long outage the backlog is not mailed.
QUEUE_WITHIN = timedelta(days=2)


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "—"


def _review_path(review) -> str:
    return reverse("review-detail", kwargs={"company": review.company.slug,
                                            "team": review.team.slug,
                                            "week": review.week_label})


def digest_message(*, review, decisions) -> Message:
    """The closed review's numbers, summary and decisions → tasks, in the active language."""
    values = {"team": review.team.name, "week": review.week_label}
    numbers = []
    for row in decorate_numbers(review.frozen_numbers):
        item = f"{row['name']}: {format_value(row['value'], row['unit'])}"
        if row.get("change_pct") is not None:
            item += f" ({format_change(row['change_pct'], '%')} {_('vs last week')})"
        numbers.append(item)
    items = []
    for decision in decisions:
        tasks = [f"· {task.title} — {_person(task.owner)}, {_('due')} "
                 f"{formats.date_format(task.due_date, 'SHORT_DATE_FORMAT')}"
                 for task in decision.tasks.all()]
        items.append("\n".join([f"[{decision.kpi.name}] {decision.text}", *tasks]))
    if not items:
        items = [f"{_('No decision needed:')} {review.no_decision_reason}"]
    return Message(
        subject=_("Weekly review closed: %(team)s %(week)s") % values,
        lines=[_("Weekly review of %(team)s, %(week)s") % values],
        sections=[{"title": _("Numbers"), "items": numbers},
                  {"title": _("Summary"), "items": [review.summary or "—"]},
                  {"title": _("Decisions"), "items": items}],
        link_path=_review_path(review), link_label=_("Open the review"))


def mention_message(*, note) -> Message:
    review = note.review
    values = {"name": _person(note.author), "team": review.team.name,
              "week": review.week_label}
    return Message(
        subject=_("%(name)s mentioned you in the %(team)s weekly review") % values,
        lines=[_("In the weekly review of %(team)s (%(week)s):") % values,
               f"“{note.text}”", f"— {_person(note.author)}"],
        link_path=_review_path(review), link_label=_("Open the review"))


def review_digest_queue(*, review_id: int, now: datetime | None = None) -> list[Notification]:
    """Queue the closed review's digest to each team member, once per close."""
    now = now or timezone.now()
    with transaction.atomic():
        # The row lock orders two runs: the second finds the stamp and queues nothing.
        review = (WeeklyReview.objects.select_for_update(of=("self",))
                  .select_related("team", "company").filter(pk=review_id).first())
        if review is None or review.status != ReviewStatus.CLOSED or review.digest_sent_at:
            return []
        decisions = list(review.decisions.select_related("kpi")
                         .prefetch_related("tasks__owner"))
        rows = []
        for membership in (TeamMembership.objects.filter(team=review.team)
                           .select_related("user").order_by("pk")):
            rows += notification_queue(
                company=review.company, recipient=membership.user, kind=Kind.REVIEW_DIGEST,
                # A review reopened and closed again sends a digest of the new close.
                object_key=f"review:{review.pk}:{review.closed_at.isoformat()}",
                period_key=review.week_label,
                build=lambda: digest_message(review=review, decisions=decisions), now=now)
        review.digest_sent_at = now
        review.save(update_fields=["digest_sent_at"])
    return rows


def mention_notices_queue(*, note_id: int, now: datetime | None = None) -> list[Notification]:
    """Queue a notice to each person the note @mentions, once per note."""
    now = now or timezone.now()
    with transaction.atomic():
        note = (Note.objects.select_for_update(of=("self",))
                .select_related("review__team", "review__company", "author")
                .filter(pk=note_id).first())
        if note is None or note.mentions_notified_at:
            return []
        rows = []
        for user in note.mentions.order_by("pk"):
            rows += notification_queue(
                company=note.review.company, recipient=user, kind=Kind.MENTION,
                object_key=f"note:{note.pk}", period_key=note.review.week_label,
                build=lambda: mention_message(note=note), now=now)
        note.mentions_notified_at = now
        note.save(update_fields=["mentions_notified_at"])
    return rows


def review_mail_queue(now: datetime | None = None, *, companies=None) -> list[Notification]:
    """Queue the digests and mention notices still waiting; the rows created now."""
    now = now or timezone.now()
    since = now - QUEUE_WITHIN
    reviews = WeeklyReview.objects.filter(status=ReviewStatus.CLOSED, digest_sent_at__isnull=True,
                                          closed_at__gte=since)
    notes = Note.objects.filter(mentions__isnull=False, mentions_notified_at__isnull=True,
                                created_at__gte=since)
    if companies is not None:
        reviews = reviews.filter(company__in=companies)
        notes = notes.filter(review__company__in=companies)
    rows = []
    for pk in reviews.order_by("closed_at", "pk").values_list("pk", flat=True):
        rows += review_digest_queue(review_id=pk, now=now)
    for pk in sorted(set(notes.values_list("pk", flat=True))):
        rows += mention_notices_queue(note_id=pk, now=now)
    return rows

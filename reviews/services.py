"""Rules that change reviews: open, notes, decisions → tasks, close (freeze), reopen."""
import re
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.calendar import team_today, week_of
from reviews.models import (
    Decision,
    Note,
    NoteKind,
    ReviewLog,
    ReviewLogAction,
    ReviewStatus,
    Task,
    TaskStatus,
    WeeklyReview,
)
from reviews.signals import review_mail_waiting
from teams.models import Team, TeamMembership
from teams.permissions import can

MENTION_RE = re.compile(r"@([\w.\-]+)")


def review_open_for_week(*, team, day: date | None = None) -> WeeklyReview:
    """The team's review for the ISO week containing ``day`` (default: today in the team's
    time zone), created if missing; safe under concurrent calls (unique team+week)."""
    day = day or team_today(team)
    iso_year, iso_week, monday = week_of(day)
    lookup = {"team": team, "iso_year": iso_year, "iso_week": iso_week}
    review = WeeklyReview.objects.filter(**lookup).first()
    if review is not None:
        return review
    try:
        with transaction.atomic():
            review = WeeklyReview.objects.create(company_id=team.company_id, week_start=monday,
                                                 **lookup)
            ReviewLog.objects.create(review=review, action=ReviewLogAction.OPENED)
    except IntegrityError:
        # Someone else opened it between our read and our insert.
        review = WeeklyReview.objects.get(**lookup)
    return review


def reviews_open_this_week() -> int:
    """Open this week's review for every team (the Monday beat job); returns how many exist."""
    count = 0
    for team in Team.objects.all():
        review_open_for_week(team=team)
        count += 1
    return count


def require_role(membership, capability, team):
    if not can(membership, capability, team=team):
        raise PermissionDenied


def _require_open(review):
    if review.status != ReviewStatus.OPEN:
        raise ValidationError(_("This review is closed; an admin can reopen it."))


def _mentioned_users(team, text):
    names = set(MENTION_RE.findall(text))
    if not names:
        return []
    User = get_user_model()
    return list(User.objects.filter(username__in=names,
                                    memberships__company_id=team.company_id))


def note_add(*, review, membership, kind: str, text: str) -> Note:
    """A highlight or lowlight by anyone in the team; @username mentions are notified."""
    require_role(membership, "contribute", review.team)
    text = (text or "").strip()
    if kind not in NoteKind.values:
        raise ValidationError(_("Choose highlight or lowlight."))
    if not text:
        raise ValidationError(_("Write the note first."))
    with transaction.atomic():
        review = WeeklyReview.objects.select_for_update().get(pk=review.pk)
        _require_open(review)
        note = Note.objects.create(review=review, kind=kind, author=membership.user,
                                   text=text[:500])
        mentioned = _mentioned_users(review.team, text)
        if mentioned:
            # notifications queues the notices (mentions_notified_at still empty).
            note.mentions.set(mentioned)
            review_mail_waiting.send(sender=Note, instance=note)
    return note


def summary_set(*, review, membership, text: str) -> WeeklyReview:
    """The manager accepts or edits the summary."""
    require_role(membership, "manage_team", review.team)
    with transaction.atomic():
        review = WeeklyReview.objects.select_for_update().get(pk=review.pk)
        _require_open(review)
        review.summary = (text or "").strip()
        review.save(update_fields=["summary"])
        ReviewLog.objects.create(review=review, action=ReviewLogAction.SUMMARY,
                                 user=membership.user)
    return review


def _check_owner(team, owner):
    if owner is None or not TeamMembership.objects.filter(team=team, user=owner).exists():
        raise ValidationError({"owner": _("The owner must be a member of the team.")})


def decision_add(*, review, membership, kpi, text: str, rationale: str = "",
                 keep_course: bool = False, task_title: str = "", task_owner=None,
                 task_due: date | None = None, request_key=None) -> Decision:
    """A decision tied to a KPI, with its first task when one is given (one form, one click).

    The same ``request_key`` (the form's idempotency key) twice returns the first decision.
    """
    require_role(membership, "manage_team", review.team)
    if kpi is None or kpi.company_id != review.company_id:
        raise ValidationError({"kpi": _("Choose the KPI this decision is about.")})
    text = (text or "").strip()
    if not text:
        text = _("Keep course") if keep_course else ""
    if not text:
        raise ValidationError({"text": _("Write the decision.")})
    wants_task = bool((task_title or "").strip())
    if not wants_task and not keep_course:
        # The close rule needs a task under every decision but "keep course": never save a
        # decision the review could then not be closed with.
        raise ValidationError({"task_title": _(
            "Give the decision its first task, or tick “Keep course”.")})
    if wants_task:
        _check_owner(review.team, task_owner)
        if task_due is None:
            raise ValidationError({"task_due": _("Give the task a due date.")})
    with transaction.atomic():
        # The review row lock serializes the posts: a repeat finds the first decision.
        review = WeeklyReview.objects.select_for_update().get(pk=review.pk)
        if request_key is not None:
            first = Decision.objects.filter(review=review, request_key=request_key).first()
            if first is not None:
                return first
        _require_open(review)
        decision = Decision.objects.create(review=review, kpi=kpi, text=text[:300],
                                           rationale=rationale or "", keep_course=keep_course,
                                           created_by=membership.user, request_key=request_key)
        if wants_task:
            Task.objects.create(team=review.team, review=review, decision=decision,
                                title=task_title.strip()[:200], owner=task_owner,
                                due_date=task_due)
    return decision


def task_add(*, decision, membership, title: str, owner, due_date: date) -> Task:
    """Another task for a decision; the owner must be in the team."""
    review = decision.review
    require_role(membership, "manage_team", review.team)
    _require_open(review)
    if not (title or "").strip():
        raise ValidationError({"title": _("Name the task.")})
    _check_owner(review.team, owner)
    if due_date is None:
        raise ValidationError({"due_date": _("Give the task a due date.")})
    return Task.objects.create(team=review.team, review=review, decision=decision,
                               title=title.strip()[:200], owner=owner, due_date=due_date)


def _log(review, membership, action, note=""):
    ReviewLog.objects.create(review=review, action=action, user=membership.user, note=note[:300])


def _open_for_change(obj, membership):
    """Lock the review of ``obj`` and check it may still change (manager, review open)."""
    require_role(membership, "manage_team", obj.review.team)
    review = WeeklyReview.objects.select_for_update().get(pk=obj.review_id)
    _require_open(review)
    return review


def decision_update(*, decision, membership, text: str, rationale: str = "") -> Decision:
    """Reword a decision while its review is open (logged)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the decision.")})
    with transaction.atomic():
        review = _open_for_change(decision, membership)
        before = decision.text
        decision.text, decision.rationale = text[:300], (rationale or "").strip()
        decision.save(update_fields=["text", "rationale"])
        _log(review, membership, ReviewLogAction.DECISION_EDITED, f"{before} → {decision.text}")
    return decision


def decision_delete(*, decision, membership) -> None:
    """Delete a decision and its tasks while its review is open (logged)."""
    with transaction.atomic():
        review = _open_for_change(decision, membership)
        _log(review, membership, ReviewLogAction.DECISION_DELETED, decision.text)
        decision.delete()


def task_delete(*, task, membership) -> None:
    """Delete a task of an open review (logged); its decision may then need another."""
    if task.review_id is None:
        raise ValidationError(_("This task does not belong to a review."))
    with transaction.atomic():
        review = _open_for_change(task, membership)
        _log(review, membership, ReviewLogAction.TASK_DELETED, task.title)
        task.delete()


def task_set_status(*, task, membership, status: str, due_date: date | None = None,
                    drop_reason: str = "") -> Task:
    """Done, re-dated (open with a new due date) or dropped with a reason; by the owner or
    the team's manager."""
    if not (task.owner_id == membership.user_id and can(membership, "contribute", task.team)
            or can(membership, "manage_team", task.team)):
        raise PermissionDenied
    if status not in TaskStatus.values:
        raise ValidationError(_("Unknown task status."))
    drop_reason = (drop_reason or "").strip()
    if status == TaskStatus.DROPPED and not drop_reason:
        raise ValidationError({"drop_reason": _("Say why the task is dropped.")})
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        if (status == TaskStatus.OPEN and task.status != TaskStatus.OPEN and task.customer_id
                and Task.objects.filter(customer_id=task.customer_id,
                                        status=TaskStatus.OPEN).exists()):
            raise ValidationError(_("This customer already has an open follow-up task."))
        task.status = status
        task.drop_reason = drop_reason[:300] if status == TaskStatus.DROPPED else ""
        task.done_at = timezone.now() if status == TaskStatus.DONE else None
        if status == TaskStatus.OPEN and due_date is not None:
            task.due_date = due_date
        task.save()
    return task


def review_close_problems(review) -> list[str]:
    """Why the review may not close yet (empty when it may)."""
    problems = []
    decisions = list(review.decisions.prefetch_related("tasks"))
    if not decisions and not review.no_decision_reason.strip():
        problems.append(_("Record at least one decision, or say why no decision is needed."))
    without = [d.text for d in decisions if not d.keep_course and not d.tasks.all()]
    if without:
        problems.append(_("Every decision needs a task: %(list)s") % {"list": ", ".join(without)})
    return problems


def review_close(*, review, membership, no_decision_reason: str | None = None):
    """Close the review (manager only): decisions → tasks checked, numbers frozen, digest sent.

    Returns (review, closed_now). A second close of the same review — even at the same
    moment — finds it closed and returns closed_now=False instead of failing.
    """
    from reviews.selectors import live_numbers

    require_role(membership, "manage_team", review.team)
    with transaction.atomic():
        # Lock the review row: two managers pressing "close" at once close it once.
        review = WeeklyReview.objects.select_for_update().get(pk=review.pk)
        if review.status == ReviewStatus.CLOSED:
            return review, False
        if no_decision_reason is not None:
            review.no_decision_reason = no_decision_reason.strip()
        problems = review_close_problems(review)
        if problems:
            raise ValidationError(problems)
        review.frozen_numbers = live_numbers(review)
        review.status = ReviewStatus.CLOSED
        review.closed_by = membership.user
        review.closed_at = timezone.now()
        # notifications queues the digest of this close (notifications.review_mail).
        review.digest_sent_at = None
        review.save()
        ReviewLog.objects.create(review=review, action=ReviewLogAction.CLOSED,
                                 user=membership.user)
        review_mail_waiting.send(sender=WeeklyReview, instance=review)
    return review, True


def review_reopen(*, review, membership, reason: str = "") -> WeeklyReview:
    """The team's manager (or an admin) reopens a closed review; the reopening is logged."""
    if not can(membership, "manage_team", review.team):
        raise PermissionDenied
    with transaction.atomic():
        review = WeeklyReview.objects.select_for_update().get(pk=review.pk)
        if review.status == ReviewStatus.OPEN:
            return review
        review.status = ReviewStatus.OPEN
        review.closed_at = None
        review.closed_by = None
        review.save(update_fields=["status", "closed_at", "closed_by"])
        ReviewLog.objects.create(review=review, action=ReviewLogAction.REOPENED,
                                 user=membership.user, note=(reason or "")[:300])
    return review

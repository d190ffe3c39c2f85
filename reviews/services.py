"""Rules that change reviews: open, notes, decisions → tasks, close (freeze), reopen."""
import re
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.calendar import team_today, week_of
from core.formatting import format_value
from core.queue import send_on_commit
from customers import selectors as cs_selectors
from customers import services as cs_services
from metrics.models import Kpi, Measurement
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
from teams.models import Team, TeamMembership, TeamRole
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


def _require(membership, capability, team):
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
    _require(membership, "contribute", review.team)
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
            note.mentions.set(mentioned)
            from reviews.notify import send_mention_emails

            # Broker down: the note is saved; the notices are logged as not sent.
            send_on_commit(send_mention_emails, note.pk)
    return note


def summary_set(*, review, membership, text: str) -> WeeklyReview:
    """The manager accepts or edits the summary."""
    _require(membership, "manage_team", review.team)
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
    _require(membership, "manage_team", review.team)
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
    _require(membership, "manage_team", review.team)
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
    _require(membership, "manage_team", obj.review.team)
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

    _require(membership, "manage_team", review.team)
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
        review.digest_sent_at = None
        review.save()
        ReviewLog.objects.create(review=review, action=ReviewLogAction.CLOSED,
                                 user=membership.user)
        from reviews.notify import send_review_digest

        # Broker down: the review still closes; the digest is logged as not sent.
        send_on_commit(send_review_digest, review.pk)
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


# The decision a customer follow-up is filed under, by the KPI its risk is about.
CUSTOMER_DECISIONS = {
    "onboarding_completion": gettext_lazy("Follow up customers whose onboarding has stalled"),
    "churn_rate": gettext_lazy("Follow up customers at risk of churning"),
    "nps": gettext_lazy("Follow up customers who gave a low NPS"),
}
CUSTOMER_TASK_DAYS = 7


def _customer_kpi(customer, codes):
    """The KPI a follow-up is tied to: the one of the first reason the company has, else churn."""
    wanted = [cs_services.RISK_REASON_TO_KPI[c] for c in codes
              if c in cs_services.RISK_REASON_TO_KPI]
    wanted = list(dict.fromkeys([*wanted, cs_services.METRIC_TO_KPI["logo_churn"]]))
    kpis = {k.code: k for k in Kpi.objects.filter(company_id=customer.company_id,
                                                  code__in=wanted)}
    for code in wanted:
        if code in kpis:
            return kpis[code]
    raise ValidationError(_("A decision must be tied to a number, and this company has no churn, "
                            "onboarding completion or NPS KPI. Add one to the KPI tree first."))


def _customer_task_owner(team, user):
    """The one who clicked, when in the team; else the team's manager (an admin's click)."""
    if TeamMembership.objects.filter(team=team, user=user).exists():
        return user
    manager = (TeamMembership.objects.filter(team=team, role=TeamRole.MANAGER)
               .select_related("user").order_by("user__username").first())
    if manager is None:
        raise ValidationError({"owner": _("The team has no manager to own the task.")})
    return manager.user


def _open_customer_task(customer):
    return (Task.objects.filter(customer=customer, status=TaskStatus.OPEN)
            .select_related("review").first())


def task_create_for_customer(*, customer, membership, due_date: date | None = None,
                             today: date | None = None) -> tuple[Task, bool]:
    """A follow-up task for an at-risk customer in this week's review of the customer's team
    (next week's when this week's is already closed).

    The task ("Follow up <customer>: <reasons>", owned by the one who clicked, due in a
    week) hangs on the review's decision about the KPI the customer's first reason maps to,
    created on first use. Returns (task, created): while the customer has an open follow-up
    — from this week or carried from an earlier one — that task is returned instead.
    """
    if customer.company_id != membership.company_id:
        raise PermissionDenied
    team = customer.team
    _require(membership, "manage_team", team)
    existing = _open_customer_task(customer)
    if existing is not None:
        return existing, False
    today = today or team_today(team)
    owner = _customer_task_owner(team, membership.user)
    language = membership.company.language
    # The review is the team's shared record: write it in the company's language.
    with translation.override(language):
        risk = cs_selectors.customer_risk(customer, cs_services.risk_rules_for(team), today)
    kpi = _customer_kpi(customer, risk["codes"])
    review = review_open_for_week(team=team, day=today)
    if review.status != ReviewStatus.OPEN:
        # This week's review is closed: the follow-up goes on next week's agenda.
        review = review_open_for_week(team=team, day=today + timedelta(days=7))
    with translation.override(language):
        if risk["reasons"]:
            title = _("Follow up %(customer)s: %(reasons)s") % {
                "customer": customer.name, "reasons": " / ".join(risk["reasons"])}
        else:
            title = _("Follow up %(customer)s") % {"customer": customer.name}
        decision_text = str(CUSTOMER_DECISIONS.get(kpi.code, CUSTOMER_DECISIONS["churn_rate"]))
        latest = Measurement.objects.filter(kpi=kpi).order_by("-period_start").first()
        if latest is None:
            rationale = _("Opened from the at-risk customer list, one task per customer.")
        else:
            rationale = _("%(kpi)s is %(value)s (period from %(period)s). Opened from the "
                          "at-risk customer list, one task per customer.") % {
                "kpi": kpi.name, "value": format_value(latest.value, kpi.unit),
                "period": latest.period_start.isoformat()}
    try:
        with transaction.atomic():
            # Lock the review: two clicks at once file one task under one decision.
            review = WeeklyReview.objects.select_for_update().get(pk=review.pk)
            if review.status != ReviewStatus.OPEN:
                raise ValidationError(
                    _("The review of %(week)s is closed, so no task can be added to it; "
                      "the team's manager can reopen it.") % {"week": review.week_label})
            existing = _open_customer_task(customer)
            if existing is not None:
                return existing, False
            decision = (Decision.objects.filter(review=review, kpi=kpi,
                                                tasks__customer__isnull=False)
                        .order_by("pk").first())
            if decision is None:
                decision = Decision.objects.create(review=review, kpi=kpi, text=decision_text,
                                                   rationale=rationale,
                                                   created_by=membership.user)
            task = Task.objects.create(
                team=team, review=review, decision=decision, customer=customer,
                title=title[:200], owner=owner,
                due_date=due_date or today + timedelta(days=CUSTOMER_TASK_DAYS))
    except IntegrityError:
        # The same customer's follow-up was filed from another week's review at that moment.
        existing = _open_customer_task(customer)
        if existing is None:
            raise
        return existing, False
    return task, True

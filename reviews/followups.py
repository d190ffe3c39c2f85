"""At-risk customers to the weekly review: one open follow-up task per customer."""
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.calendar import team_today
from core.formatting import format_value
from customers import selectors as cs_selectors
from customers import services as cs_services
from metrics.models import Kpi, Measurement
from reviews.models import Decision, ReviewStatus, Task, TaskStatus, WeeklyReview
from reviews.services import require_role, review_open_for_week
from teams.models import TeamMembership, TeamRole

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
    require_role(membership, "manage_team", team)
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

"""The at-risk list of a team's customers and its follow-up tasks.

It sits in reviews because each follow-up is a task of the team's weekly review; the list
itself (rules, rows) comes from the customers app.
"""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.calendar import team_today, week_of
from core.htmx import render_page
from customers import selectors as cs_selectors
from customers import services as cs_services
from customers.forms import RiskRulesForm
from customers.models import Customer
from reviews import followups
from reviews import selectors as review_selectors
from teams.tenancy import company_view, get_team, require

AT_RISK = "customers/cs_at_risk.html"


@company_view("view")
def cs_at_risk(request, team):
    team = get_team(request, team)
    rules = cs_services.risk_rules_for(team)
    form = RiskRulesForm(instance=rules)
    if request.method == "POST":
        require(request, "manage_team", team)
        form = RiskRulesForm(request.POST, instance=rules)
        if form.is_valid():
            data = {f: form.cleaned_data[f] for f in form.Meta.fields}
            rules = cs_services.risk_rules_save(team=team, user=request.user, **data)
            messages.success(request, _("At-risk rules saved."))
            return redirect("cs-at-risk", request.company.slug, team.slug)
    rows, summary = cs_selectors.at_risk_list(team, rules, timezone.localdate())
    tasks = review_selectors.open_customer_tasks(team)
    for row in rows:
        row["task"] = tasks.get(row["customer"].pk)
    return render_page(request, AT_RISK,
                       {"team": team, "rows": rows, "form": form, "rules": rules,
                        "summary": summary,
                        "this_week": _this_week(team)},
                       status=400 if form.errors else 200)


def _this_week(team):
    return week_of(team_today(team)).label


@require_POST
@company_view("manage_team")
def cs_customer_task(request, team, customer_id):
    """The at-risk row's button: a follow-up task in this week's review (htmx: the row's slot)."""
    team = get_team(request, team)
    require(request, "manage_team", team)
    customer = get_object_or_404(Customer, company=request.company, team=team, pk=customer_id)
    task, created, error = None, False, ""
    try:
        task, created = followups.task_create_for_customer(
            customer=customer, membership=request.membership)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        return render_page(request, AT_RISK, {
            "team": team, "row": {"customer": customer, "task": task}, "created": created,
            "error": error, "this_week": _this_week(team)}, partial="task_slot")
    if error:
        messages.error(request, error)
    elif created:
        messages.success(request, _("Task added to the review of %(week)s: %(title)s")
                         % {"week": task.review.week_label, "title": task.title})
    else:
        messages.info(request, _("%(customer)s already has an open follow-up task.")
                      % {"customer": customer.name})
    return redirect("cs-at-risk", request.company.slug, team.slug)

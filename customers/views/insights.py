"""Customer-success insight pages: metrics with definitions, at-risk, causal chain, voice."""
import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.calendar import next_month, previous_month, quarter_of
from core.htmx import render_page
from customers import selectors as cs_selectors
from customers import services as cs_services
from customers.forms import ChurnTargetForm
from customers.models import Customer
from engine import saas
from metrics.models import Kpi, PeriodKind, Target
from teams.tenancy import company_view, get_team, require


def _quarters(company, today):
    quarter = quarter_of(today, company.fiscal_year_start_month)
    this, following = quarter.start, quarter.next().start
    return [(following, _("Next quarter (from %(date)s)") % {"date": following.isoformat()}),
            (this, _("This quarter (from %(date)s)") % {"date": this.isoformat()})]


def _month_nav(month):
    return previous_month(month), next_month(month)


@company_view("view")
def cs_metrics(request, team):
    team = get_team(request, team)
    today = timezone.localdate()
    month = cs_selectors.month_from_param(request.GET.get("month"), today)
    rows = cs_selectors.month_metrics(team, month, today)
    churn = next(r for r in rows if r["key"] == "logo_churn")
    previous, following = _month_nav(month)
    churn_kpi = Kpi.objects.filter(company=request.company, team=team, code="churn_rate").first()
    targets = (Target.objects.filter(kpi=churn_kpi, period_kind=PeriodKind.QUARTER,
                                     superseded_at__isnull=True).order_by("-period_start")[:3]
               if churn_kpi else [])
    context = {
        "team": team, "month": month, "rows": rows, "churn": churn,
        "previous": previous, "following": following if following <= today else None,
        "target_form": ChurnTargetForm(quarters=_quarters(request.company, today)),
        "churn_kpi": churn_kpi, "targets": targets,
        "no_contract": Customer.objects.filter(team=team, contract_date__isnull=True).count(),
    }
    return render_page(request, "customers/cs_metrics.html", context)


@require_POST
@company_view("view")
def cs_churn_target(request, team):
    team = get_team(request, team)
    require(request, "manage_team", team)
    today = timezone.localdate()
    form = ChurnTargetForm(request.POST, quarters=_quarters(request.company, today))
    back = reverse("cs-metrics", args=[request.company.slug, team.slug])
    if not form.is_valid():
        messages.error(request, _("Enter a churn target between 0 and 100 %."))
        return redirect(back)
    month = cs_selectors.month_from_param(request.POST.get("month"), today)
    churn = saas.logo_churn(cs_selectors.customer_records(team), month)
    baseline = None if churn.value is None else churn.value * 100
    try:
        target = cs_services.churn_target_create(
            team=team, user=request.user, target_percent=form.cleaned_data["target_percent"],
            baseline_percent=baseline, quarter=form.cleaned_data["quarter"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Target saved: %(note)s.") % {"note": target.note})
    return redirect(f"{back}?month={month:%Y-%m}")


@company_view("view")
def cs_definitions(request):
    return render_page(request, "customers/cs_definitions.html", {
        "metrics": cs_selectors.METRICS,
        # (the metric's name, the KPI code it feeds): the page shows names, not metric keys.
        "mapping": [(cs_selectors.METRICS[key][0] if key in cs_selectors.METRICS else key, code)
                    for key, code in cs_services.METRIC_TO_KPI.items()],
        "gross_margin": int(cs_selectors.GROSS_MARGIN * 100),
    })


def _safe_cell(value):
    # Spreadsheet formula injection: a cell starting with = + - @ would run in Excel.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@company_view("view")
def cs_at_risk_csv(request, team):
    team = get_team(request, team)
    rows = cs_selectors.at_risk_rows(team, cs_services.risk_rules_for(team),
                                     timezone.localdate())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="at-risk-{team.slug}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 with a BOM as UTF-8
    writer = csv.writer(response)
    writer.writerow([_("Customer"), _("Plan"), _("MRR at risk"), _("Contract date"),
                     _("Last login"), "NPS", _("Reasons"), _("Notes")])
    for row in rows:
        c = row["customer"]
        writer.writerow([_safe_cell(v) for v in (
            c.name, c.plan, c.mrr, c.contract_date, c.last_login, c.nps,
            " / ".join(row["reasons"]),
            c.notes)])
    return response


@company_view("view")
def cs_causal(request, team):
    team = get_team(request, team)
    chain = cs_selectors.causal_chain(team, timezone.localdate())
    return render_page(request, "customers/cs_causal.html", {"team": team, **chain})

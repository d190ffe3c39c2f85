"""The KPI page: its history chart and table, targets, definition, formula links, freshness."""
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core.calendar import month_start
from core.form_div import form_div
from core.formatting import format_value
from core.htmx import render_page
from metrics import kpi_presenter
from metrics.forms import TargetForm
from metrics.models import Kpi
from metrics.targets import can_set_targets
from teams.tenancy import company_view


def _export_href(company, code):
    """The CSV download of this KPI; hidden while the export page is not installed."""
    try:
        base = reverse("measurement-export", kwargs={"company": company.slug})
    except NoReverseMatch:
        return ""
    return f"{base}?{urlencode({'kpi': code})}"


def target_panel(request, page, form=None):
    """What the KPI page's target editor shows: the form, the coming months, the history."""
    kpi = page.kpi
    can_set = can_set_targets(request.membership, kpi)
    form = form or TargetForm(initial={"period": month_start(timezone.localdate())})
    return {
        "can_set": can_set,
        "form": form,
        # form.as_div(), printed without Django's dozen form templates (core.form_div).
        "form_html": form_div(form) if can_set else "",
        "months": [(m, format_value(v, kpi.unit)) for m, v in page.plan_months],
        "history": page.target_history,
    }


@company_view("view")
def kpi_detail(request, code):
    return render_kpi_page(request, code)


def render_kpi_page(request, code, target_form=None, status=200):
    """The KPI page; ``target_form`` brings back a refused target with what was typed."""
    try:
        page = kpi_presenter.kpi_page(request.company, code)
    except Kpi.DoesNotExist:
        raise Http404 from None
    chart = kpi_presenter.kpi_chart_config(
        page, {"value": page.kpi.name, "target": _("Target"), "anomaly": _("Anomaly")})
    table = kpi_presenter.kpi_table(page)
    return render_page(request, "metrics/kpi_detail.html", {
        "page": page, "kpi": page.kpi, "chart": chart, "table": table,
        "table_rows": kpi_presenter.kpi_table_rows(table),
        "input_links": kpi_presenter.kpi_links(request.company, page.inputs),
        "feed_links": kpi_presenter.kpi_links(request.company, page.feeds),
        "export_href": _export_href(request.company, code),
        "targets": target_panel(request, page, target_form),
    }, status=status)

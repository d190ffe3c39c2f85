"""The KPI page: its history chart and table, definition, formula links and freshness."""
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core.htmx import render_page
from metrics import kpi_presenter
from metrics.models import Kpi
from teams.tenancy import company_view


def _export_href(company, code):
    """The CSV download of this KPI; hidden while the export page is not installed."""
    try:
        base = reverse("measurement-export", kwargs={"company": company.slug})
    except NoReverseMatch:
        return ""
    return f"{base}?{urlencode({'kpi': code})}"


@company_view("view")
def kpi_detail(request, code):
    try:
        page = kpi_presenter.kpi_page(request.company, code)
    except Kpi.DoesNotExist:
        raise Http404 from None
    chart = kpi_presenter.kpi_chart_config(
        page, {"value": page.kpi.name, "target": _("Target"), "anomaly": _("Anomaly")})
    table = kpi_presenter.kpi_table(page)
    return render_page(request, "metrics/kpi_detail.html", {
        "page": page, "kpi": page.kpi, "chart": chart, "table": table,
        "export_href": _export_href(request.company, code),
    })

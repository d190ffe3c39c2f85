"""The data-quality page: which KPIs can be trusted this week, and which need attention."""
from core.htmx import render_page
from metrics.quality import WINDOW, data_quality_rows
from teams.tenancy import company_view


@company_view("view")
def data_quality(request):
    rows = data_quality_rows(request.company)
    return render_page(request, "metrics/data_quality.html", {
        "rows": rows, "window": WINDOW,
        "stale_count": sum(r["stale"] for r in rows),
        "undefined": [r for r in rows if r["missing_definition"] or r["missing_source"]],
    })

"""The data-quality page: which KPIs can be trusted this week, and which need attention.

Per KPI: definition, source (and the sources feeding it: schedule, last run, last success,
freshness against the schedule and why not), freshness against its cadence, gaps, and
corrections this month; per source: its unmapped names.
"""
from core.htmx import render_page
from metrics.quality import WINDOW, data_quality_rows, revisions_this_month
from metrics.sources.health import health_by_kpi, sources_health
from teams.tenancy import company_view


@company_view("view")
def data_quality(request):
    rows = data_quality_rows(request.company)
    healths = sources_health(request.company)
    feeding = health_by_kpi(request.company, healths)
    revisions = revisions_this_month(request.company)
    for row in rows:
        row["sources"] = feeding.get(row["kpi"].pk, [])
        row["source_stale"] = [h for h in row["sources"] if h.stale]
        row["revisions"] = revisions.get(row["kpi"].pk, 0)
    return render_page(request, "metrics/data_quality.html", {
        "rows": rows, "window": WINDOW, "healths": healths,
        "stale_count": sum(r["stale"] or bool(r["source_stale"]) for r in rows),
        "undefined": [r for r in rows if r["missing_definition"] or r["missing_source"]],
    })

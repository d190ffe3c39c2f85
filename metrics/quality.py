"""Data quality per KPI: definition, source, owner, last value, freshness against its cadence, gaps."""
from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Count
from django.utils import timezone

from core.calendar import month_start, previous_period
from metrics.grid import last_periods
from metrics.models import Kpi, Measurement, MeasurementRevision

WINDOW = 12  # periods checked for gaps


def data_quality_rows(company, today: date | None = None) -> list[dict]:
    """One row per KPI, worst first: stale or gappy or undefined KPIs at the top."""
    today = today or timezone.localdate()
    kpis = list(Kpi.objects.filter(company=company).select_related("team").order_by("code"))
    windows = {c: last_periods(c, previous_period(today, c), WINDOW)
               for c in {k.cadence for k in kpis}}
    oldest = min((w[0] for w in windows.values()), default=today)
    recent: dict[int, dict[date, object]] = {}
    for kpi_id, period, value in Measurement.objects.filter(
        company=company, period_start__gte=oldest
    ).order_by().values_list("kpi_id", "period_start", "value"):
        recent.setdefault(kpi_id, {})[period] = value
    rows = []
    for kpi in kpis:
        values = recent.get(kpi.pk, {})
        expected = previous_period(today, kpi.cadence)
        last = max(values) if values else None
        if last is None:
            last_row = Measurement.objects.filter(kpi=kpi).order_by("-period_start").first()
            last = last_row.period_start if last_row else None
            last_value = last_row.value if last_row else None
        else:
            last_value = values[last]
        window = windows[kpi.cadence]
        gaps = [p for p in window if p not in values] if values else list(window)
        stale = last is None or last < expected
        problems = []
        if not kpi.definition.strip():
            problems.append("definition")
        if not kpi.data_source.strip():
            problems.append("source")
        rows.append({
            "kpi": kpi, "last_period": last, "last_value": last_value,
            "expected": expected, "stale": stale, "gaps": gaps,
            "missing_definition": "definition" in problems,
            "missing_source": "source" in problems,
            "score": (stale, len(gaps), len(problems)),
        })
    rows.sort(key=lambda r: (not r["stale"], -len(r["gaps"]),
                             -(r["missing_definition"] + r["missing_source"]), r["kpi"].code))
    return rows


def revisions_this_month(company, today: date | None = None) -> dict[int, int]:
    """{kpi id: corrections of its numbers since the first of this month}, one query."""
    today = today or timezone.localdate()
    since = timezone.make_aware(datetime.combine(month_start(today), time.min))
    return dict(MeasurementRevision.objects.filter(
        measurement__company=company, changed_at__gte=since)
        .values_list("measurement__kpi_id").annotate(n=Count("pk")).order_by())

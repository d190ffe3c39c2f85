"""A company's measurements as regular series: one value per period, gaps NaN, campaigns masked."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.db.models import FloatField
from django.db.models.functions import Cast

from core.calendar import (
    next_period,
    period_grid,
)
from metrics.models import Campaign, Kpi, Measurement

SEASON_LENGTH = {"daily": 7, "weekly": 52, "monthly": 12}


@dataclass
class Series:
    """One KPI's numbers on a regular grid: NaN where a period is missing."""

    kpi: Kpi
    periods: list[date]
    values: np.ndarray
    campaign: np.ndarray

    @property
    def season_length(self) -> int:
        return SEASON_LENGTH.get(self.kpi.cadence, 1)

    @property
    def last_period(self) -> date | None:
        return self.periods[-1] if self.periods else None


def campaign_spans(company) -> dict[int, list[tuple[date, date]]]:
    """{kpi_id: [(start, end), …]} of the company's campaigns, one query."""
    spans = defaultdict(list)
    rows = Campaign.kpis.through.objects.filter(campaign__company=company).values_list(
        "kpi_id", "campaign__start", "campaign__end")
    for kpi_id, start, end in rows:
        spans[kpi_id].append((start, end))
    return spans


def kpi_series(company, kpis, *, until: date | None = None) -> dict[int, Series]:
    """{kpi_id: Series} for these KPIs, with the periods that start before ``until``."""
    kpis = {k.pk: k for k in kpis}
    raw: dict[int, dict[date, float]] = defaultdict(dict)
    # Unordered (the grid is built by date): Measurement's default ordering by KPI joined
    # every KPI and the company and sorted every number (12 s → 4 s for 1.26M numbers).
    qs = Measurement.objects.filter(company=company, kpi_id__in=list(kpis)).order_by()
    if until is not None:
        qs = qs.filter(period_start__lt=until)
    # The database turns numeric into float8 (correctly rounded, as float(Decimal) is):
    # building 100,000s of Decimals first costs more than the query.
    rows = qs.values_list("kpi_id", "period_start", Cast("value", FloatField()))
    for kpi_id, day, value in rows.iterator(chunk_size=20_000):
        raw[kpi_id][day] = value
    spans = campaign_spans(company)
    # Most KPIs of a company share their first and last period: one grid (a tuple) each.
    grids: dict[tuple, tuple[date, ...]] = {}
    out = {}
    for kpi_id, kpi in kpis.items():
        points = raw.get(kpi_id, {})
        if not points:
            out[kpi_id] = Series(kpi, [], np.empty(0), np.empty(0, dtype=bool))
            continue
        bounds = (min(points), max(points), kpi.cadence)
        if bounds not in grids:
            grids[bounds] = tuple(period_grid(*bounds))
        grid = list(grids[bounds])
        values = np.array([points.get(day, np.nan) for day in grid], dtype=float)
        campaign = np.zeros(len(grid), dtype=bool)
        for start, end in spans.get(kpi_id, ()):
            for i, day in enumerate(grid):
                # A period touched by the campaign carries its effect.
                if day <= end and next_period(day, kpi.cadence) > start:
                    campaign[i] = True
        out[kpi_id] = Series(kpi, grid, values, campaign)
    return out

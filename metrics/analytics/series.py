"""A company's measurements as regular series: one value per period, gaps NaN, campaigns masked."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import numpy as np

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
    qs = Measurement.objects.filter(company=company, kpi_id__in=list(kpis))
    if until is not None:
        qs = qs.filter(period_start__lt=until)
    for kpi_id, day, value in qs.values_list("kpi_id", "period_start", "value").iterator(
            chunk_size=20_000):
        raw[kpi_id][day] = float(value)
    spans = campaign_spans(company)
    out = {}
    for kpi_id, kpi in kpis.items():
        points = raw.get(kpi_id, {})
        if not points:
            out[kpi_id] = Series(kpi, [], np.empty(0), np.empty(0, dtype=bool))
            continue
        grid = period_grid(min(points), max(points), kpi.cadence)
        values = np.array([points.get(day, np.nan) for day in grid], dtype=float)
        campaign = np.zeros(len(grid), dtype=bool)
        for start, end in spans.get(kpi_id, ()):
            for i, day in enumerate(grid):
                # A period touched by the campaign carries its effect.
                if day <= end and next_period(day, kpi.cadence) > start:
                    campaign[i] = True
        out[kpi_id] = Series(kpi, grid, values, campaign)
    return out

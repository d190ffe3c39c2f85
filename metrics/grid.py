"""Reads for the weekly entry grid: a team's KPIs × their last eight periods, in four queries.

Under each KPI's values sits its target row: the target of each period as the one plan
reads it (``metrics.targets.load_plan``: a month target shown as its weekly share for a
summed weekly KPI). A monthly KPI's target cells are inputs; a weekly or daily KPI's row
has one input for the month its latest period ends in (targets are stored per month).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import calendar
from metrics.models import Cadence, Focus, Kpi, Measurement, MeasurementRevision
from metrics.targets import load_plan

PERIODS = 8
CADENCE_TITLES = {
    Cadence.WEEKLY: _("Weekly KPIs"),
    Cadence.MONTHLY: _("Monthly KPIs"),
    Cadence.DAILY: _("Daily KPIs"),
}


@dataclass
class Cell:
    kpi: Kpi
    period: date
    measurement: Measurement | None = None
    previous: object = None  # the value before the latest correction
    error: str = ""
    raw: str = ""
    saved: bool = False

    @property
    def value(self):
        return self.measurement.value if self.measurement else None

    @property
    def input_value(self):
        """What the input shows: the rejected text, or the stored number without trailing zeros."""
        if self.error:
            return self.raw
        if self.measurement is None:
            return ""
        # Grouped (2,345,678) so big numbers read at a glance; the parser accepts it back.
        return format(self.measurement.value.normalize(), ",f")


@dataclass
class TargetCell:
    """A target in the grid: ``period`` is a month start when the cell can be edited."""

    kpi: Kpi
    period: date
    value: object = None  # the target compared at the KPI's cadence (None: not planned)
    month_value: object = None  # the stored month target an input edits
    editable: bool = False
    error: str = ""
    raw: str = ""
    saved: bool = False

    @property
    def input_value(self):
        if self.error:
            return self.raw
        if self.month_value is None:
            return ""
        return format(self.month_value.normalize(), ",f")


def target_row(kpi, periods: list[date], plan, month: date | None = None) -> dict:
    """{cells: [TargetCell per period], month: TargetCell to edit (non-monthly KPIs): the
    given month, else the month of the latest period}."""
    monthly = kpi.cadence == Cadence.MONTHLY
    cells = [TargetCell(kpi, p, plan.at(kpi, None, p), plan.at(kpi, "month", p)
                        if monthly else None, editable=monthly) for p in periods]
    edit = None
    if not monthly and periods:
        # The month most of the latest period lies in (W49 from Mon 11-30 is December's).
        last_day = calendar.period_end(periods[-1], kpi.cadence) - timedelta(days=1)
        start = month or calendar.month_start(last_day)
        edit = TargetCell(kpi, start, None, plan.at(kpi, "month", start), editable=True)
    return {"cells": cells, "month": edit}


def target_cell(company, kpi, period: date) -> TargetCell:
    """One editable target (a month) re-read after a save."""
    plan = load_plan(company, [kpi.pk])
    month = calendar.month_start(period)
    return TargetCell(kpi, month, plan.at(kpi, None, month) if kpi.cadence == Cadence.MONTHLY
                      else None, plan.at(kpi, "month", month), editable=True)


def last_periods(cadence: str, today: date, count: int = PERIODS) -> list[date]:
    """The starts of the last ``count`` periods up to and including today's, oldest first."""
    return calendar.last_periods(cadence, today, count)


def period_label(period: date, cadence: str) -> str:
    if cadence == Cadence.MONTHLY:
        return calendar.month_key(period)
    if cadence == Cadence.WEEKLY:
        return f"W{calendar.week_of(period).week:02d} · {period.month}/{period.day}"
    return f"{period.month}/{period.day}"


def team_grid(company, team, today: date | None = None) -> list[dict]:
    """Sections by cadence: {cadence, title, periods: [(date, label)], rows: [{kpi, cells}]}."""
    today = today or timezone.localdate()
    kpis = list(Kpi.objects.filter(company=company, team=team)
                .order_by("-focus", "phase", "code"))
    kpis.sort(key=lambda k: (k.focus != Focus.ACTIVE, k.is_computed, k.code))
    by_cadence: dict[str, list[Kpi]] = {}
    for kpi in kpis:
        by_cadence.setdefault(kpi.cadence, []).append(kpi)
    periods = {c: last_periods(c, today) for c in by_cadence}
    if not kpis:
        return []
    oldest = min(p[0] for p in periods.values())
    measurements = {
        (m.kpi_id, m.period_start): m
        # Unordered: Measurement's default ordering (by KPI: company name, code) joined every
        # KPI of the company only to sort (29 ms at 300 teams for one team's grid).
        for m in Measurement.objects.filter(company=company, kpi__in=kpis,
                                            period_start__gte=oldest).order_by()
    }
    previous = {}
    for revision in MeasurementRevision.objects.filter(
        measurement_id__in=[m.pk for m in measurements.values()]
    ).order_by("measurement_id", "-changed_at", "-pk"):
        previous.setdefault(revision.measurement_id, revision.old_value)
    plan = load_plan(company, [k.pk for k in kpis])
    sections = []
    for cadence in (Cadence.WEEKLY, Cadence.MONTHLY, Cadence.DAILY):
        if cadence not in by_cadence:
            continue
        rows = []
        for kpi in by_cadence[cadence]:
            cells = []
            for period in periods[cadence]:
                m = measurements.get((kpi.pk, period))
                cells.append(Cell(kpi, period, m, previous.get(m.pk) if m else None))
            rows.append({"kpi": kpi, "cells": cells,
                         "targets": target_row(kpi, periods[cadence], plan)})
        sections.append({
            "cadence": cadence, "title": CADENCE_TITLES[cadence],
            "periods": [(p, period_label(p, cadence)) for p in periods[cadence]],
            "rows": rows,
        })
    return sections


def grid_cell(company, kpi, period) -> Cell:
    """One cell re-read after a save (with its previous value)."""
    m = Measurement.objects.filter(company=company, kpi=kpi, period_start=period).first()
    prev = None
    if m is not None:
        revision = m.revisions.order_by("-changed_at", "-pk").first()
        prev = revision.old_value if revision else None
    return Cell(kpi, period, m, prev)

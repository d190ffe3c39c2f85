"""A KR aligned to a KPI is measured on the KPI's quarter scale: the form's hints and the check.

A linked KR's current value is the KPI's numbers over the quarter, aggregated as the KPI
says (a summed KPI adds up its weeks; an average or a rate is not added). A start or target
typed on another scale — a week's number for a quarter's sum, ¥3,450 for ¥34,500, 0.02 for
2 % — can never be compared honestly, so ``scale_problem`` names it and the KR is refused
unless the user confirms the scale.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from core.calendar import Quarter
from core.formatting import format_value
from metrics.models import Measurement
from metrics.targets import load_plan
from okrs import scoring

SCALE_FACTOR = 2.5  # beyond this many times (or a fraction of) the quarter's scale
MIN_ELAPSED = 0.15  # extrapolate a summed quarter only after this share of it has passed


@dataclass
class QuarterHint:
    kpi: object
    quarter: Quarter
    so_far: float | None  # the quarter's value to date, as a linked KR reads it
    planned: float | None  # the KPI's plan for the quarter (metrics.targets)
    last_quarter: float | None
    elapsed: float

    @property
    def reference(self) -> float | None:
        """What a whole quarter of this KPI looks like: plan, else last quarter, else now."""
        for value in (self.planned, self.last_quarter):
            if value:
                return value
        if self.so_far is None:
            return None
        if self.kpi.aggregation != "sum":
            return self.so_far
        return self.so_far / self.elapsed if self.elapsed >= MIN_ELAPSED else None

    @property
    def so_far_display(self):
        return format_value(self.so_far, self.kpi.unit)

    @property
    def reference_display(self):
        return format_value(self.reference, self.kpi.unit)


def quarter_hints(company, quarter: Quarter, kpis, today: date) -> dict:
    """{kpi_id: QuarterHint} for these KPIs, in two queries."""
    kpis = list(kpis)
    ids = [k.pk for k in kpis]
    previous = quarter.previous()
    values: dict = {}
    for kpi_id, day, value in Measurement.objects.filter(
            kpi_id__in=ids, period_start__gte=previous.start,
            period_start__lte=quarter.end).order_by("period_start").values_list(
            "kpi_id", "period_start", "value"):
        which = "now" if day >= quarter.start else "before"
        values.setdefault((kpi_id, which), []).append(float(value))
    plan = load_plan(company, ids)
    out = {}
    for kpi in kpis:
        planned = plan.at(kpi, "quarter", quarter.start)
        out[kpi.pk] = QuarterHint(
            kpi, quarter, scoring.aggregate(values.get((kpi.pk, "now"), []), kpi.aggregation),
            float(planned) if planned is not None else None,
            scoring.aggregate(values.get((kpi.pk, "before"), []), kpi.aggregation),
            quarter.elapsed_fraction(today))
    return out


def scale_problem(hint: QuarterHint | None, field_label: str, value) -> str | None:
    """Why ``value`` is not on the KPI's quarter scale, or None when it is (or can't tell)."""
    if hint is None or value is None:
        return None
    reference, number = hint.reference, float(value)
    if not reference or reference <= 0 or number <= 0 or not math.isfinite(number):
        return None
    ratio = number / reference
    if 1 / SCALE_FACTOR <= ratio <= SCALE_FACTOR:
        return None
    return _(
        "%(field)s %(value)s is not on the scale of %(kpi)s: over %(quarter)s it is compared "
        "by its %(agg)s, about %(reference)s. Is %(value)s a week's or a month's number, or a "
        "percentage written as a fraction? Enter the quarter's figure, or tick “the scale is "
        "right” if %(value)s is what you mean."
    ) % {"field": field_label, "value": format_value(number, hint.kpi.unit),
         "kpi": hint.kpi.name, "quarter": hint.quarter.label,
         "agg": hint.kpi.get_aggregation_display(), "reference": hint.reference_display}

"""Phase a yearly target into months: preview the monthly series, then save it at once.

The split itself is pure (``engine.phasing``); this module reads last year's monthly
numbers for the seasonal profile, parses what the user typed like any target, and saves the
reviewed series through the one writer of targets (``metrics.targets.targets_set``, all or
nothing). What is saved is what was previewed: the preview carries a fingerprint and saving
recomputes it and refuses when the numbers moved in between.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.calendar import add_months, days_in, month_key, month_start, period_days
from engine.phasing import PhasingError, phase, weights
from metrics.models import Cadence, Measurement, PeriodKind
from metrics.targets import TargetEntry, TargetRefused, load_plan, parse_target_value, targets_set
from spreadsheets import ValueProblem, parse_number

MONTHS = 12
RULE_LABELS = {"flat": gettext_lazy("flat"),
               "seasonal": gettext_lazy("last year's seasonal profile"),
               "ramp": gettext_lazy("ramp")}


@dataclass
class PhasedMonth:
    month: date
    value: Decimal
    current: Decimal | None  # the target in force now, for comparison
    last_year: float | None  # the same month a year earlier (the seasonal profile)


@dataclass
class Phasing:
    kpi: object
    rule: str
    total: Decimal
    ramp: Decimal
    months: list[PhasedMonth]
    summed: bool
    fingerprint: str

    @property
    def series_total(self):
        return sum(m.value for m in self.months)

    @property
    def series_mean(self):
        return self.series_total / len(self.months)

    @property
    def bars(self):
        """[(x, y, height, month)] of a 12-bar SVG (viewBox 0 0 240 80), tallest = 72."""
        top = max((float(m.value) for m in self.months), default=0) or 1.0
        out = []
        for i, m in enumerate(self.months):
            height = round(72 * max(float(m.value), 0) / top, 1)
            out.append((i * 20 + 2, round(78 - height, 1), height, m))
        return out


def last_year_profile(kpi, first: date, months: int = MONTHS) -> list[float | None]:
    """The KPI's monthly value for each month a year before ``first``…, by its aggregation.

    A weekly or daily number counts in each month by the days it covers there; a month
    with no number is None.
    """
    start = add_months(first, -12)
    end = add_months(start, months)
    rows = Measurement.objects.filter(
        kpi=kpi, period_start__lt=end,
        period_start__gte=start if kpi.cadence == Cadence.MONTHLY else add_months(start, -1),
    ).values_list("period_start", "value")
    totals: dict[date, float] = {}
    days: dict[date, int] = {}
    for period, value in rows:
        length = period_days(period, kpi.cadence)
        for offset in range(2):
            month = add_months(month_start(period), offset)
            inside = days_in(period, kpi.cadence, month)
            if inside <= 0 or not start <= month < end:
                continue
            share = inside / length if kpi.aggregation == "sum" else inside
            totals[month] = totals.get(month, 0.0) + float(value) * share
            days[month] = days.get(month, 0) + inside
    out = []
    for i in range(months):
        month = add_months(start, i)
        if month not in totals:
            out.append(None)
        elif kpi.aggregation == "sum":
            out.append(totals[month])
        else:
            out.append(totals[month] / days[month])
    return out


def _decimals(kpi) -> int:
    return 0 if kpi.unit in ("JPY", "count") else 2


def _ramp(raw) -> Decimal:
    text = str(raw or "").strip()
    if not text:
        return Decimal(0)
    try:
        return Decimal(parse_number(text).value)  # percentage points: 50 and 50 % alike
    except ValueProblem as problem:
        raise TargetRefused(str(problem.message), problem.code) from None


def phasing_preview(kpi, *, first, total, rule: str, ramp="0") -> Phasing:
    """The monthly series for the 12 months from ``first``; TargetRefused says why not."""
    first = month_start(first)
    value = parse_target_value(kpi, total)
    ramp_pct = _ramp(ramp) if rule == "ramp" else Decimal(0)
    profile = last_year_profile(kpi, first) if rule == "seasonal" else None
    summed = kpi.aggregation == "sum"
    try:
        series = phase(float(value), weights(rule, MONTHS, profile, float(ramp_pct) / 100),
                       summed=summed, decimals=_decimals(kpi))
    except PhasingError as problem:
        raise TargetRefused(_phasing_message(problem, first), problem.code) from None
    plan = load_plan(kpi.company, [kpi.pk])
    months = [PhasedMonth(add_months(first, i), Decimal(str(v)).quantize(Decimal("0.0001")),
                          plan.at(kpi, "month", add_months(first, i)),
                          profile[i] if profile else None)
              for i, v in enumerate(series)]
    digest = hashlib.sha256(";".join(
        f"{m.month}={m.value}" for m in months).encode()).hexdigest()[:16]
    return Phasing(kpi, rule, value, ramp_pct, months, summed, digest)


def _phasing_message(problem: PhasingError, first: date) -> str:
    if problem.code == "no_profile":
        names = ", ".join(month_key(add_months(first, i - 12)) for i in problem.months)
        return _("Last year has no numbers for %(months)s, so there is no seasonal profile; "
                 "choose flat or a ramp.") % {"months": names}
    if problem.code == "zero_profile":
        return _("Last year's numbers add up to zero, so there is no seasonal profile.")
    if problem.code == "bad_ramp":
        return _("A ramp must be above -100 %.")
    return _("Choose flat, seasonal or a ramp.")


@transaction.atomic
def phasing_apply(*, kpi, first, total, rule: str, ramp="0", expected: str,
                  user=None) -> Phasing:
    """Save the previewed series as the 12 month targets, all or nothing."""
    phasing = phasing_preview(kpi, first=first, total=total, rule=rule, ramp=ramp)
    if phasing.fingerprint != expected:
        raise TargetRefused(_("The numbers changed since the preview; look at it again."),
                            "stale")
    reason = _("Phased from %(total)s over 12 months (%(rule)s)") % {
        "total": phasing.total.normalize(), "rule": RULE_LABELS[rule]}
    targets_set(kpi=kpi, user=user, reason=reason, entries=[
        TargetEntry(m.month, m.value, PeriodKind.MONTH) for m in phasing.months])
    return phasing

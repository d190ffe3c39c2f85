"""Targets as data: set them (with history), validate them, and load the plan pages read.

``target_set`` / ``targets_set`` are the one writer of targets. A new value supersedes the
current row of the same KPI, kind and period (kept, with who/when/why); the database keeps
one current row per KPI and period (``target_one_current_per_kpi_period``) and the KPI row
is locked so two concurrent edits queue instead of failing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from core.calendar import add_months, month_start, quarter_of
from metrics.facts.store import (
    facts_refresh,
    load_plan,  # noqa: F401 — the plan reader lives with the facts
)
from metrics.measurements import MAX_ABS
from metrics.models import Kgi, KgiStatus, Kpi, PeriodKind, Target
from spreadsheets import ValueProblem, check_range, parse_number, to_unit
from teams.permissions import can

PERCENT_MAX_CODES = {"nrr", "grr", "net_revenue_retention"}


class TargetRefused(ValidationError):
    """A target that cannot be stored; ``code`` names the rule, ``index`` the entry."""

    def __init__(self, message, code, index=None):
        super().__init__(message, code=code)
        self.code = code
        self.index = index


class TargetsRefused(ValidationError):
    """Some entries of a batch were refused; nothing was stored. ``errors`` lists them all."""

    def __init__(self, errors: list[TargetRefused]):
        super().__init__([str(e.message) for e in errors])
        self.errors = errors


@dataclass(frozen=True)
class TargetEntry:
    period: object  # a date or an ISO date string: any day of the period
    value: object  # a number or text as a user writes it (13,600 / １５，６４０ / 1.5万)
    kind: str = PeriodKind.MONTH


def can_set_targets(membership, kpi) -> bool:
    """Admins and executives plan every KPI; a team's managers plan their team's KPIs."""
    if can(membership, "plan"):
        return True
    return kpi.team_id is not None and can(membership, "manage_team", team=kpi.team)


def parse_target_value(kpi: Kpi, raw) -> Decimal:
    """The target in the KPI's unit, parsed like a grid cell; TargetRefused says why not."""
    try:
        parsed = parse_number(raw)
    except ValueProblem as problem:
        raise TargetRefused(str(problem.message), problem.code) from None
    value = to_unit(parsed, kpi.unit)
    percent_max = Decimal(1000) if kpi.code in PERCENT_MAX_CODES else None
    problems = check_range(value, kpi.unit, parsed.percent, percent_max=percent_max,
                           allow_negative=kpi.allows_negative)
    # A count target may be a fraction once spread over days; only its sign and scale matter.
    problems = [p for p in problems if p.code != "not_integer"]
    if problems:
        raise TargetRefused(str(problems[0].message), problems[0].code)
    if abs(value) >= MAX_ABS:
        raise TargetRefused(_("The number is too large."), "too_large")
    return value.quantize(Decimal("0.0001"))


def parse_target_period(kpi: Kpi, raw, kind: str = PeriodKind.MONTH) -> date:
    """The first day of the month (or fiscal quarter) containing ``raw``."""
    day = raw if isinstance(raw, date) else _parse_day(raw)
    if day is None:
        raise TargetRefused(_("“%(value)s” is not a date like 2027-01-01.") % {"value": raw},
                            "bad_period")
    if kind == PeriodKind.MONTH:
        return month_start(day)
    if kind == PeriodKind.QUARTER:
        return quarter_of(day, kpi.company.fiscal_year_start_month).start
    raise TargetRefused(_("Targets are set per month or per quarter."), "bad_kind")


def _parse_day(raw) -> date | None:
    text = str(raw if raw is not None else "").strip()
    if len(text) != 10:
        return None
    try:
        return parse_date(text)
    except ValueError:  # 2027-02-30: well formed, not a day
        return None


def _kgi_window(company):
    kgi = Kgi.objects.filter(company=company, status=KgiStatus.ACTIVE).first()
    if kgi is None or kgi.start_date is None or kgi.deadline is None:
        return None
    return kgi.start_date, kgi.deadline


def _check_window(window, start: date, kind: str):
    if window is None:
        return
    end = add_months(start, 3 if kind == PeriodKind.QUARTER else 1)
    first, last = window
    if end <= first or start > last:
        raise TargetRefused(
            _("%(period)s is outside the KGI's window (%(first)s – %(last)s).")
            % {"period": start.isoformat(), "first": first.isoformat(),
               "last": last.isoformat()}, "outside_window")


@transaction.atomic
def targets_set(*, kpi: Kpi, entries: list[TargetEntry], user=None, reason: str = "",
                within_kgi: bool = True) -> list:
    """Store these targets of one KPI, all or nothing; returns the new current rows.

    Every entry is checked first (value, sign, percent range, period inside the active
    KGI's window, no period twice); any problem raises TargetsRefused naming each, and
    nothing is written. An unchanged value is not rewritten.
    """
    kpi = Kpi.objects.select_for_update().select_related("company").get(pk=kpi.pk)
    # The quarterly OKR review may commit next quarter's thresholds past the KGI's deadline.
    window = _kgi_window(kpi.company) if within_kgi else None
    errors, planned = [], {}
    for index, entry in enumerate(entries):
        try:
            start = parse_target_period(kpi, entry.period, entry.kind)
            value = parse_target_value(kpi, entry.value)
            _check_window(window, start, entry.kind)
            if (entry.kind, start) in planned:
                raise TargetRefused(_("%(period)s is given twice.") % {
                    "period": start.isoformat()}, "duplicate")
        except TargetRefused as refused:
            refused.index = index
            errors.append(refused)
            continue
        planned[(entry.kind, start)] = value
    if errors:
        raise TargetsRefused(errors)
    current = {(t.period_kind, t.period_start): t for t in Target.objects.filter(
        kpi=kpi, superseded_at__isnull=True,
        period_start__in=[s for _k, s in planned])}
    now, note, written = timezone.now(), (reason or "")[:200], []
    changed = False
    for (kind, start), value in planned.items():
        old = current.get((kind, start))
        if old is not None and old.value == value:
            written.append(old)
            continue
        if old is not None:
            Target.objects.filter(pk=old.pk).update(superseded_at=now)
        written.append(Target.objects.create(
            kpi=kpi, period_kind=kind, period_start=start, value=value, note=note,
            created_by=user))
        changed = True
    if changed:
        facts_refresh(kpi.company, [kpi.pk])  # its card's target and status, same transaction
    return written


def target_set(*, kpi: Kpi, period, value, user=None, reason: str = "",
               kind: str = PeriodKind.MONTH) -> Target:
    """Set one KPI's target for the month (or quarter) containing ``period``."""
    try:
        return targets_set(kpi=kpi, entries=[TargetEntry(period, value, kind)], user=user,
                           reason=reason)[0]
    except TargetsRefused as refused:
        raise refused.errors[0] from None


def target_history(kpi: Kpi, limit: int = 50) -> list[Target]:
    """The KPI's targets, current and superseded, newest first, with who set them."""
    return list(Target.objects.filter(kpi=kpi).select_related("created_by")
                .order_by("-created_at", "-pk")[:limit])

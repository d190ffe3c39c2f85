"""What the measurement writer accepts: one entry per KPI and period, checked before any write.

``metrics.measurements`` (the one writer) validates every batch here first: the KPI
belongs to the company, the person may enter its numbers, it is not computed, the value is
a finite number in its unit's range, the period is inside the sane window, and no two
entries give the same KPI and period. Nothing here writes.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from core.calendar import period_start
from metrics.models import Kpi
from spreadsheets import check_range
from spreadsheets.dates import PERIOD_MAX, PERIOD_MIN
from teams.models import Membership, Team
from teams.permissions import can, can_enter_numbers

PLACES = Decimal("0.0001")
MAX_ABS = Decimal("1e16")


@dataclass(frozen=True)
class Entry:
    """One value to store: a KPI of the company, any day in its period, the value in its unit."""

    kpi: Kpi
    period: date
    value: Decimal
    ref: object = None  # where it came from (row number, API index) for error messages


@dataclass
class EntryError:
    ref: object
    kpi_code: str
    message: str
    code: str = "refused"


class MeasurementError(Exception):
    """The whole batch was refused; ``errors`` names every entry that is wrong."""

    def __init__(self, errors: list[EntryError]):
        super().__init__("; ".join(f"{e.ref}: {e.message}" for e in errors[:5]))
        self.errors = errors


def quantize(value) -> Decimal:
    return Decimal(value).quantize(PLACES, rounding=ROUND_HALF_UP)


def refusal_for(company, user) -> Callable[[Kpi], str] | None:
    """kpi → why ``user`` may not enter its numbers ("" when they may); None for the system.

    ``user=None`` is the system (``manage.py import_measurements``, seeds, recomputation);
    a person is checked against their membership at the time of the write.
    """
    if user is None:
        return None
    membership = Membership.objects.filter(company=company, user=user).first()
    reasons: dict[int, str] = {}
    team_names: dict[int, str] = {}

    def refusal(kpi) -> str:
        if kpi.pk in reasons:
            return reasons[kpi.pk]
        if can_enter_numbers(membership, kpi):
            reason = ""
        elif membership is None or not can(membership, "contribute"):
            reason = _("Your role in this company does not let you enter numbers.")
        elif kpi.team_id is None:
            reason = _("%(kpi)s has no owner team; only admins and managers may enter its "
                       "numbers.") % {"kpi": kpi.code}
        else:
            if not team_names:
                team_names.update(Team.objects.filter(company=company)
                                  .values_list("pk", "name"))
            reason = _("%(kpi)s belongs to the team %(team)s; you may enter numbers only for "
                       "your own teams' KPIs.") % {"kpi": kpi.code,
                                                    "team": team_names.get(kpi.team_id, "?")}
        reasons[kpi.pk] = reason
        return reason

    return refusal


def validate_entries(company, entries: list[Entry], *, user=None) -> tuple[dict, list[EntryError]]:
    """{(kpi_id, period_start): (entry, value)} and every error (permission, computed KPI,
    range, duplicate)."""
    errors: list[EntryError] = []
    keyed: dict[tuple[int, date], tuple[Entry, Decimal]] = {}
    refusal = refusal_for(company, user)
    for entry in entries:
        kpi = entry.kpi
        if kpi.company_id != company.pk:
            errors.append(EntryError(entry.ref, kpi.code, _("Not a KPI of this company.")))
            continue
        if refusal is not None and (reason := refusal(kpi)):
            errors.append(EntryError(entry.ref, kpi.code, reason, "not_allowed"))
            continue
        if kpi.is_computed:
            errors.append(EntryError(entry.ref, kpi.code, _(
                "%(kpi)s is computed from its formula (%(formula)s); enter its inputs instead."
            ) % {"kpi": kpi.code, "formula": kpi.formula}))
            continue
        try:
            value = quantize(entry.value)
        except (InvalidOperation, TypeError, ValueError):
            errors.append(EntryError(entry.ref, kpi.code, _("Not a number.")))
            continue
        if not value.is_finite() or abs(value) >= MAX_ABS:
            errors.append(EntryError(entry.ref, kpi.code, _("The number is too large.")))
            continue
        range_problems = check_range(value, kpi.unit, percent_max=percent_max(kpi),
                                     allow_negative=kpi.allows_negative)
        if range_problems:
            errors.extend(EntryError(entry.ref, kpi.code, str(p.message)) for p in range_problems)
            continue
        if not isinstance(entry.period, date) or not PERIOD_MIN <= entry.period <= PERIOD_MAX:
            errors.append(EntryError(entry.ref, kpi.code, _(
                "The period %(period)s is outside %(min)s–%(max)s.") % {
                "period": entry.period, "min": PERIOD_MIN.year, "max": PERIOD_MAX.year}))
            continue
        key = (kpi.pk, period_start(entry.period, kpi.cadence))
        if key in keyed:
            first = keyed[key][0]
            errors.append(EntryError(entry.ref, kpi.code, _(
                "%(first)s and %(this)s both give %(kpi)s for the period starting %(period)s."
            ) % {"first": first.ref, "this": entry.ref, "kpi": kpi.code,
                 "period": key[1].isoformat()}))
            continue
        keyed[key] = (entry, value)
    return keyed, errors


def percent_max(kpi) -> Decimal | None:
    # Rates such as NRR or GRR legitimately exceed 100 %.
    return Decimal("1000") if kpi.code in {"nrr", "grr", "net_revenue_retention"} else None

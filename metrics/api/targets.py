"""Targets API: set a KPI's targets (all or nothing) and read them as stored or at a grain."""
from datetime import date
from decimal import Decimal
from typing import Literal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from core.calendar import add_months, month_start
from metrics.models import Kpi, Target
from metrics.target_plan import GRAINS
from metrics.targets import TargetEntry, TargetsRefused, can_set_targets, load_plan, targets_set

router = Router(tags=["targets"])
MAX_ITEMS = 500
MAX_DERIVED_DAYS = 3 * 366  # a grain=day answer stays a reasonable size


class TargetIn(Schema):
    period: str
    value: Decimal | int | float | str
    kind: str = Field("month", json_schema_extra={"enum": ["month", "quarter"]})  # targets_set


class TargetsIn(Schema):
    targets: list[TargetIn]
    reason: str = ""


class TargetOut(Schema):
    period: date
    kind: str
    value: Decimal
    note: str = ""
    set_by: str | None = None
    set_at: str | None = None


class DerivedOut(Schema):
    period: date
    value: Decimal


class ItemError(Schema):
    index: int | None
    code: str
    message: str


class ErrorsOut(Schema):
    detail: str
    errors: list[ItemError] = []


def _out(target):
    return TargetOut(period=target.period_start, kind=target.period_kind, value=target.value,
                     note=target.note,
                     set_by=target.created_by.get_username() if target.created_by else None,
                     set_at=target.created_at.isoformat() if target.created_at else None)


@router.put("/{company}/kpis/{code}/targets", url_name="api-kpi-targets-set",
            response={200: list[TargetOut], 403: ErrorsOut, 422: ErrorsOut})
def kpi_targets_set(request, company: str, code: str, payload: TargetsIn):
    """Set targets by any day of their month (or quarter, ``kind``); all or nothing."""
    kpi = get_object_or_404(Kpi.objects.select_related("team"), company=request.company,
                            code=code)
    if not can_set_targets(request.membership, kpi):
        return Status(403, ErrorsOut(detail="forbidden"))
    if len(payload.targets) > MAX_ITEMS:
        return Status(422, ErrorsOut(detail=f"at most {MAX_ITEMS} targets per request"))
    entries = [TargetEntry(t.period, t.value, t.kind) for t in payload.targets]
    try:
        written = targets_set(kpi=kpi, entries=entries, user=request.membership.user,
                              reason=payload.reason)
    except TargetsRefused as refused:
        return Status(422, ErrorsOut(detail="nothing was stored", errors=[
            ItemError(index=e.index, code=e.code, message=str(e.message))
            for e in refused.errors]))
    return Status(200, [_out(t) for t in written])


@router.get("/{company}/kpis/{code}/targets", url_name="api-kpi-targets",
            response={200: list[TargetOut] | list[DerivedOut], 403: ErrorsOut,
                      422: ErrorsOut})
def kpi_targets(request, company: str, code: str, start: date | None = None,
                end: date | None = None, grain: Literal[GRAINS] | None = None):
    """The current targets as stored, or with ``grain`` as compared at that grain."""
    kpi = get_object_or_404(Kpi, company=request.company, code=code)
    if grain is None:
        rows = Target.objects.filter(kpi=kpi, superseded_at__isnull=True).select_related(
            "created_by").order_by("period_start", "period_kind")
        if start:
            rows = rows.filter(period_start__gte=month_start(start))
        if end:
            rows = rows.filter(period_start__lte=end)
        return Status(200, [_out(t) for t in rows])
    if grain not in GRAINS:
        return Status(422, ErrorsOut(detail=f"grain must be one of {', '.join(GRAINS)}"))
    start = start or month_start(timezone.localdate())
    end = end or add_months(start, 3)
    if end < start or (end - start).days > MAX_DERIVED_DAYS:
        return Status(422, ErrorsOut(detail="end must follow start, within three years"))
    plan = load_plan(request.company, [kpi.pk])
    return Status(200, [DerivedOut(period=p, value=round(v, 4))
                        for p, v in plan.series(kpi, grain, start, end)])

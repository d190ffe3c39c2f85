"""Measurements API: bulk idempotent upsert (all or nothing) and a KPI's values by period."""
from datetime import date
from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from metrics.measurements import Entry, MeasurementError, measurements_bulk_upsert
from metrics.models import Kpi, Measurement, Source
from spreadsheets import ValueProblem, parse_number, to_unit
from teams.permissions import can

router = Router(tags=["measurements"])
MAX_ITEMS = 10_000


class MeasurementIn(Schema):
    kpi: str
    period: date
    value: Decimal | str


class UpsertIn(Schema):
    items: list[MeasurementIn]
    dry_run: bool = False


class CountsOut(Schema):
    new: int
    changed: int
    unchanged: int
    computed: int


class ItemError(Schema):
    index: int | None
    kpi: str
    message: str


class ErrorsOut(Schema):
    detail: str
    errors: list[ItemError] = []


class MeasurementOut(Schema):
    period: date
    value: Decimal
    source: str


def _forbidden():
    return 403, ErrorsOut(detail="forbidden")


@router.post("/{company}/measurements", url_name="api-measurements-upsert",
             response={200: CountsOut, 403: ErrorsOut, 422: ErrorsOut})
def measurements_upsert(request, company: str, payload: UpsertIn):
    """Store values by KPI code and any day of their period; all or nothing, safe to repeat."""
    if not can(request.membership, "contribute"):
        return _forbidden()
    if len(payload.items) > MAX_ITEMS:
        return 422, ErrorsOut(detail=f"at most {MAX_ITEMS} items per request")
    # PostgreSQL text cannot hold NUL: such a code is simply unknown, never a query.
    kpis = {k.code: k for k in Kpi.objects.filter(
        company=request.company, code__in={i.kpi for i in payload.items if "\x00" not in i.kpi})}
    entries, errors = [], []
    for index, item in enumerate(payload.items):
        kpi = kpis.get(item.kpi)
        if kpi is None:
            errors.append(ItemError(index=index, kpi=item.kpi, message="unknown KPI code"))
            continue
        try:
            parsed = parse_number(item.value)
        except ValueProblem as problem:
            errors.append(ItemError(index=index, kpi=item.kpi, message=str(problem.message)))
            continue
        entries.append(Entry(kpi, item.period, to_unit(parsed, kpi.unit), index))
    if not errors:
        try:
            result = measurements_bulk_upsert(company=request.company, entries=entries,
                                              source=Source.API, user=request.membership.user,
                                              dry_run=payload.dry_run)
        except MeasurementError as refused:
            errors = [ItemError(index=e.ref, kpi=e.kpi_code, message=e.message)
                      for e in refused.errors]
        else:
            return 200, CountsOut(**result.as_dict())
    return 422, ErrorsOut(detail="nothing was stored", errors=errors)


@router.get("/{company}/kpis/{code}/measurements", url_name="api-kpi-measurements",
            response={200: list[MeasurementOut], 403: ErrorsOut})
def kpi_measurements(request, company: str, code: str,
                     start: date | None = Query(None, alias="from"),  # noqa: B008
                     end: date | None = Query(None, alias="to")):  # noqa: B008
    """A KPI's values by period start, oldest first."""
    if not can(request.membership, "view"):
        return _forbidden()
    if "\x00" in code:
        raise Http404
    kpi = get_object_or_404(Kpi, company=request.company, code=code)
    rows = Measurement.objects.filter(kpi=kpi).order_by("period_start")
    if start:
        rows = rows.filter(period_start__gte=start)
    if end:
        rows = rows.filter(period_start__lte=end)
    return 200, [MeasurementOut(period=m.period_start, value=m.value, source=m.source)
                 for m in rows]

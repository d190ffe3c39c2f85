"""Writing numbers: one value per KPI and period, corrections kept, computed KPIs kept current.

Every way a number arrives (grid, import, API, the customer-success roster sync) ends in
``measurements_bulk_upsert``:
all or nothing, one value per KPI and period (the period follows the KPI's cadence),
only for KPIs the person may enter (``kgiapp.permissions.can_enter_numbers``), the old
value of a correction kept as a MeasurementRevision, and every computed KPI
(``Kpi.formula``) recomputed for the periods its inputs touched.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.calendar import period_end, period_start, subperiod_weights, subperiods
from engine.formula import FormulaError, parse_formula
from metrics.facts.store import facts_refresh
from metrics.measurement_checks import (  # noqa: F401  (Entry… re-exported for callers)
    MAX_ABS,
    PLACES,
    Entry,
    EntryError,
    MeasurementError,
    quantize,
    refusal_for,
    validate_entries,
)
from metrics.models import Kpi, Measurement, MeasurementRevision, Source

CHUNK = 5000


@dataclass
class UpsertResult:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    computed: int = 0
    kept: int = 0  # stored values left alone because of their source (``keep_sources``)
    changed_keys: set = field(default_factory=set, repr=False)
    # The diff, one per new or changed cell: (key, (old value, old source) or None, new value)
    cells: list = field(default_factory=list, repr=False)
    written_at: object = None  # after the write; a later write of a cell is after this

    def as_dict(self):
        return {"new": self.new, "changed": self.changed, "unchanged": self.unchanged,
                "computed": self.computed}


def _lock_kpis_for_writing(kpi_ids) -> None:
    """Queue behind any other writer of these KPIs' numbers *before* reading what is stored.

    Two concurrent imports of one file then cannot both see "new" or "changed": the second
    reads after the first committed, so each value is written once and a revision is kept
    only for a real change. The locks are per KPI (PostgreSQL advisory locks held to the end
    of the transaction, taken in id order so two writers cannot deadlock), so a long import
    never holds up a grid edit of another KPI of the same company — nor does the company's
    data token, which is set at commit (teams.dataversion). SQLite has one writer anyway.
    """
    if connection.vendor != "postgresql":
        return
    keys = sorted({int(kpi_id) % 2147483647 for kpi_id in kpi_ids})
    if not keys:
        return
    with connection.cursor() as cursor:
        # One statement: the function scan yields the sorted array in order, so the locks
        # are taken in that order.
        cursor.execute("SELECT count(pg_advisory_xact_lock(hashtext('kgi.measurements'), k)) "
                       "FROM unnest(%s::int[]) AS k", [keys])


def _existing(company, keys) -> dict:
    """{(kpi_id, period_start): (id, value, source)} for the keys that are stored, in one query."""
    keys = set(keys)
    if not keys:
        return {}
    kpi_ids = {k for k, _p in keys}
    periods = [p for _k, p in keys]
    rows = Measurement.objects.filter(
        company=company, kpi_id__in=kpi_ids, period_start__gte=min(periods),
        period_start__lte=max(periods),
    ).order_by().values_list("kpi_id", "period_start", "id", "value", "source")
    return {(k, p): (pk, v, s) for k, p, pk, v, s in rows.iterator(chunk_size=CHUNK)
            if (k, p) in keys}


def _tally(rows: dict, existing: dict, result: UpsertResult):
    """Count each value as new, changed or unchanged in ``result`` (with the cells it
    changes, old → new); yield ``(key, old, value)`` for each one to write."""
    for key, value in rows.items():
        old = existing.get(key)
        if old is not None and old[1] == value:
            result.unchanged += 1
            continue
        result.cells.append((key, None if old is None else old[1:], value))
        if old is None:
            result.new += 1
        else:
            result.changed += 1
        yield key, old, value


def _write(company, rows: dict, *, source, user, existing, progress=None) -> UpsertResult:
    """Insert new and changed values in bulk; keep each corrected value's old value."""
    result = UpsertResult()
    now = timezone.now()
    to_write, revisions = [], []
    user_id = user.pk if user is not None else None
    for key, old, value in _tally(rows, existing, result):
        if old is not None:
            revisions.append(MeasurementRevision(
                measurement_id=old[0], old_value=old[1], new_value=value, source=source,
                changed_by_id=user_id, changed_at=now,
            ))
        result.changed_keys.add(key)
        to_write.append((key[0], key[1], value))
    if connection.vendor == "postgresql" and len(to_write) > CHUNK:
        _copy_upsert(company, to_write, source=source, user_id=user_id, now=now,
                     progress=progress)
    else:
        for start in range(0, len(to_write), CHUNK):
            Measurement.objects.bulk_create(
                [Measurement(company=company, kpi_id=k, period_start=p, value=v, source=source,
                             entered_by_id=user_id, updated_at=now)
                 for k, p, v in to_write[start:start + CHUNK]],
                update_conflicts=True, unique_fields=["kpi", "period_start"],
                update_fields=["value", "source", "entered_by", "updated_at"],
            )
            if progress:
                progress(min(start + CHUNK, len(to_write)), len(to_write))
    MeasurementRevision.objects.bulk_create(revisions, batch_size=CHUNK)
    return result


def _copy_upsert(company, rows, *, source, user_id, now, progress=None):
    """PostgreSQL: COPY into a temporary table, then one INSERT … ON CONFLICT DO UPDATE."""
    table = Measurement._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE measurement_in (kpi_id bigint, period_start date, "
            "value numeric(20,4)) ON COMMIT DROP"
        )
        with cursor.copy("COPY measurement_in (kpi_id, period_start, value) FROM STDIN") as copy:
            for index, row in enumerate(rows, 1):
                copy.write_row(row)
                if progress and index % CHUNK == 0:
                    progress(index // 2, len(rows))
        cursor.execute(
            f"INSERT INTO {table} (company_id, kpi_id, period_start, value, source, "
            "entered_by_id, updated_at) "
            "SELECT %s, kpi_id, period_start, value, %s, %s, %s FROM measurement_in "
            "ON CONFLICT (kpi_id, period_start) DO UPDATE SET value = EXCLUDED.value, "
            "source = EXCLUDED.source, entered_by_id = EXCLUDED.entered_by_id, "
            "updated_at = EXCLUDED.updated_at",
            [company.pk, source, user_id, now],
        )
        cursor.execute("DROP TABLE measurement_in")
    if progress:
        progress(len(rows), len(rows))


def measurements_bulk_upsert(*, company, entries: Iterable[Entry], source=Source.MANUAL,
                             user=None, dry_run=False, keep_sources: Iterable[str] = (),
                             progress: Callable[[int, int], None] | None = None) -> UpsertResult:
    """Store every entry or none (MeasurementError lists each bad one); recompute computed KPIs.

    ``user`` is the person entering the numbers: entries for KPIs they may not enter are
    refused (``code="not_allowed"``). ``user=None`` is the system and is not checked.
    A stored value whose source is in ``keep_sources`` is left as it is and counted in
    ``kept`` (the roster sync never overwrites a number typed by hand).
    """
    entries = list(entries)
    keyed, errors = validate_entries(company, entries, user=user)
    if errors:
        raise MeasurementError(errors)
    rows = {key: value for key, (_entry, value) in keyed.items()}
    keep_sources = frozenset(keep_sources)
    with transaction.atomic():
        if not dry_run:
            _lock_kpis_for_writing(kpi_id for kpi_id, _period in rows)
        existing = _existing(company, rows.keys())
        kept = {key for key, old in existing.items() if old[2] in keep_sources}
        for key in kept:
            del rows[key]
        if dry_run:
            result = UpsertResult(kept=len(kept))
            for _written in _tally(rows, existing, result):
                pass  # counted, not written
            return result
        result = _write(company, rows, source=source, user=user, existing=existing,
                        progress=progress)
        result.kept = len(kept)
        if result.changed_keys:
            touched = {kpi_id for kpi_id, _period in result.changed_keys}
            result.computed = recompute_computed(company=company, changed=result.changed_keys,
                                                 user=user, touched=touched)
            # What the cards show of every KPI written, in this transaction (metrics.facts).
            facts_refresh(company, touched)
        result.written_at = timezone.now()
    return result


def measurements_clear(*, company, keys, user=None) -> int:
    """Remove the stored values at ``keys`` {(kpi_id, period_start)} (undoing new cells):
    all or nothing, checked for ``user`` like a write; computed KPIs recomputed."""
    keys = set(keys)
    kpis = Kpi.objects.in_bulk({k for k, _p in keys})
    refusal = refusal_for(company, user)
    errors = [EntryError(f"{kpis[k].code} {p.isoformat()}", kpis[k].code, reason, "not_allowed")
              for k, p in sorted(keys) if refusal is not None and (reason := refusal(kpis[k]))]
    if errors:
        raise MeasurementError(errors)
    with transaction.atomic():
        _lock_kpis_for_writing(kpis)
        by_kpi = defaultdict(list)
        for kpi_id, period in keys:
            by_kpi[kpi_id].append(period)
        deleted = sum(Measurement.objects.filter(company=company, kpi_id=kpi_id,
                                                 period_start__in=periods).delete()[1].get(
            Measurement._meta.label, 0) for kpi_id, periods in by_kpi.items())
        touched = set(by_kpi)
        recompute_computed(company=company, changed=keys, user=user, touched=touched)
        facts_refresh(company, touched)
    return deleted


def measurement_upsert(*, company, kpi, period, value, source=Source.MANUAL, user=None):
    """Store one value (the grid's cell); returns (measurement, result)."""
    result = measurements_bulk_upsert(company=company, entries=[Entry(kpi, period, value, "1")],
                                      source=source, user=user)
    measurement = Measurement.objects.get(kpi=kpi, period_start=period_start(period, kpi.cadence))
    return measurement, result


# --- computed KPIs --------------------------------------------------------------------


def _aggregate(values: list[Decimal], aggregation: str, weights=None) -> float:
    """Sum, mean or last of the parts; ``weights`` are the shares of each part's days
    inside the period (a straddling week counts by its days in each month)."""
    weights = [1.0] * len(values) if weights is None else weights
    if aggregation == "sum":
        return sum(float(v) * w for v, w in zip(values, weights, strict=True))
    if aggregation == "last":
        return float(values[-1])
    return sum(float(v) * w for v, w in zip(values, weights, strict=True)) / sum(weights)


def _parts(period: date, cadence: str, input_cadence: str) -> list[tuple[date, float]]:
    """The input periods a period is made of, each with the share of its days inside."""
    if input_cadence == "monthly" or cadence == input_cadence:
        return [(p, 1.0) for p in subperiods(period, cadence, input_cadence)]
    return subperiod_weights(period, cadence, input_cadence)


def _computed_kpis(company) -> tuple[dict[str, Kpi], dict[str, object]]:
    """The company's computed KPIs and their inputs by code, and the parsed formulas.

    Two indexed reads whatever the size of the company: the KPIs with a formula (a partial
    index), then the inputs they name. Reading every KPI of the company on every write
    cost 30 ms of SQL and 8,100 model instances at 300 teams.
    """
    # .order_by(): the model's default ordering joins the company for its name, for nothing.
    computed = {k.code: k for k in Kpi.objects.filter(company=company).exclude(formula="")
                .order_by() if k.is_computed}
    if not computed:
        return {}, {}
    parsed = {}
    for code, kpi in computed.items():
        try:
            parsed[code] = parse_formula(kpi.formula)
        except FormulaError:
            continue  # an invalid formula is the KPI tree's problem; nothing to compute
    names = {name for formula in parsed.values() for name in formula.names} - set(computed)
    kpis = {**{k.code: k for k in Kpi.objects.filter(company=company, code__in=names).order_by()},
            **computed}
    # A formula naming a code that is no KPI of the company has nothing to compute.
    return kpis, {code: f for code, f in parsed.items() if f.variables <= kpis.keys()}


def _computed_order(kpis: dict[str, Kpi], parsed: dict) -> list[tuple[Kpi, object]]:
    """Computed KPIs with their parsed formulas, inputs before the KPIs that use them."""
    order, state = [], {}

    def visit(code):
        if state.get(code) == "done" or code not in parsed:
            return
        if state.get(code) == "visiting":
            return  # a cycle; the tree editor refuses these
        state[code] = "visiting"
        for name in parsed[code].names:
            visit(name)
        state[code] = "done"
        order.append((kpis[code], parsed[code]))

    for code in parsed:
        visit(code)
    return order


def recompute_computed(*, company, changed: set, user=None, touched: set | None = None) -> int:
    """Recompute every computed KPI for the periods its (transitive) inputs changed in.

    The ids of the computed KPIs written are added to ``touched``.
    """
    kpis, parsed = _computed_kpis(company)
    if not parsed:
        return 0
    changed_by_kpi: dict[int, set[date]] = defaultdict(set)
    for kpi_id, period in changed:
        changed_by_kpi[kpi_id].add(period)
    written = 0
    for kpi, formula in _computed_order(kpis, parsed):
        inputs = [kpis[name] for name in formula.names]
        periods = set()
        for input_kpi in inputs:
            for period in changed_by_kpi.get(input_kpi.pk, ()):
                periods.add(period_start(period, kpi.cadence))
                # A week from Monday 29 September counts in September and in October.
                last_day = period_end(period, input_kpi.cadence) - timedelta(days=1)
                periods.add(period_start(last_day, kpi.cadence))
                if input_kpi.cadence == "monthly" and kpi.cadence != "monthly":
                    periods.update(subperiods(period, "monthly", kpi.cadence))
        if not periods:
            continue
        values = _computed_values(company, kpi, formula, inputs, sorted(periods))
        if not values:
            continue
        existing = _existing(company, values.keys())
        result = _write(company, values, source=Source.COMPUTED, user=user, existing=existing)
        written += result.new + result.changed
        for key in result.changed_keys:
            changed_by_kpi[key[0]].add(key[1])
        if touched is not None and result.changed_keys:
            touched.add(kpi.pk)
    return written


def _computed_values(company, kpi, formula, inputs, periods) -> dict:
    """{(kpi_id, period): value} for each period where every input is complete."""
    first, last = periods[0], period_end(periods[-1], kpi.cadence)
    # One read for all inputs (a formula of 20 inputs made 20): from the earliest input
    # period; the rows of a coarser input's earlier periods are never looked up.
    lo = min(period_start(first, input_kpi.cadence) for input_kpi in inputs)
    series: dict[int, dict[date, Decimal]] = {input_kpi.pk: {} for input_kpi in inputs}
    for kpi_id, period, value in Measurement.objects.filter(
            kpi_id__in=list(series), period_start__gte=lo, period_start__lt=last
    ).order_by().values_list("kpi_id", "period_start", "value"):  # no join for the KPI order
        series[kpi_id][period] = value
    out = {}
    for period in periods:
        values = {}
        for input_kpi in inputs:
            parts = _parts(period, kpi.cadence, input_kpi.cadence)
            found = [series[input_kpi.pk].get(p) for p, _w in parts]
            if not found or any(v is None for v in found):
                break
            values[input_kpi.code] = input_kpi.to_formula_value(
                _aggregate(found, input_kpi.aggregation, [w for _p, w in parts]))
        else:
            result = formula.evaluate(values)
            if result != result or result in (float("inf"), float("-inf")):
                continue  # division by zero: leave the period empty rather than store nonsense
            value = Decimal(str(kpi.from_formula_value(result)))
            if abs(value) >= MAX_ABS:
                # Refuse the whole write rather than fail in the database (numeric(20,4)).
                raise MeasurementError([EntryError(
                    f"{kpi.code} {period.isoformat()}", kpi.code, _(
                        "%(kpi)s for the period starting %(period)s would be %(value).4g "
                        "(%(formula)s), beyond the largest number that can be stored."
                    ) % {"kpi": kpi.code, "period": period.isoformat(), "value": result,
                         "formula": kpi.formula}, "overflow")])
            out[(kpi.pk, period)] = quantize(value)
    return out

"""A spreadsheet import streamed through PostgreSQL: memory stays flat whatever the file's size.

``import_stream`` reads the file a chunk of rows at a time (``spreadsheets.streaming``), maps
and checks each chunk as ``analyze_file`` and ``validate_entries`` do (the same problems, the
same per-KPI permission), and COPYs the checked values into a temporary table. Everything
that needs the whole file is then set-based SQL on that table: two rows giving one KPI and
period, the diff against what is stored (new / changed / unchanged, and the cells kept for
undo, compressed as they stream out of PostgreSQL), the revisions, one INSERT … ON CONFLICT,
the computed KPIs and the facts. It runs in one transaction: a problem anywhere in the file
leaves nothing written. This is the measurement writer's bulk path
(``metrics.measurements``): it takes the same per-KPI locks and keeps the same records.
"""
from __future__ import annotations

import gc
import io
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import InvalidOperation

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.facts.store import facts_refresh
from metrics.measurement_checks import (
    MAX_ABS,
    EntryError,
    percent_max,
    quantize,
    refusal_for,
)
from metrics.measurements import _computed_kpis, _lock_kpis_for_writing, recompute_computed
from metrics.models import ImportBatch, Measurement, MeasurementRevision, Source
from spreadsheets import FileRejected, check_range
from spreadsheets.dates import PERIOD_MAX, PERIOD_MIN
from spreadsheets.headers import WIDE
from spreadsheets.stream_mapping import StreamMapper
from spreadsheets.streaming import BLOCK, open_stream
from spreadsheets.table import Problem, Text

CHUNK_ROWS = 20_000
MAX_PROBLEMS = 1_000
MAX_ROWS = 1_000_000
MAX_BYTES = 64 * 1024 * 1024
# One row of ``import_in`` (row, col, kpi_id, period_start, value) in COPY's text format.
_COPY_LINE = "%d\t%d\t%d\t%s\t%s\n"


def _problem(row, column, code, message) -> dict:
    return {"row": row, "column": column, "code": code, "message": str(message)}


@dataclass
class StreamedImport:
    """What the file did (or would do): its shape, its counts, or every problem (bounded)."""

    file_format: str = ""
    encoding: str = ""
    sheet: str = ""
    shape: str = ""
    row_count: int = 0
    record_count: int = 0
    problems: list = field(default_factory=list)  # the first MAX_PROBLEMS, by row
    problem_count: int = 0
    # When the file itself is fine: why values were refused (``validate_entries``'s errors).
    errors: list = field(default_factory=list)
    refusals: dict = field(default_factory=dict)  # the distinct "not allowed" messages
    refusals_only: bool = True
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    computed: int = 0
    written_at: object = None
    timings: dict = field(default_factory=dict)  # seconds per step, for bench/import_bench.py

    def lap(self, step: str, started: float) -> float:
        now = time.perf_counter()
        self.timings[step] = self.timings.get(step, 0.0) + now - started
        return now

    def add_problems(self, problems) -> None:
        self.problem_count += len(problems)
        room = MAX_PROBLEMS - len(self.problems)
        self.problems.extend(problems[:max(room, 0)])

    def add_error(self, error: EntryError) -> None:
        if error.code == "not_allowed":
            self.refusals.setdefault(error.message, None)
        else:
            self.refusals_only = False
        if len(self.errors) < MAX_PROBLEMS:
            self.errors.append(error)

    @property
    def error_problems(self) -> list[dict]:
        return [_problem(*e.ref, e.code, e.message) for e in self.errors]


def _as_dicts(problems: list[Problem]) -> list[dict]:
    return [_problem(p.row, p.column, p.code, p.message) for p in problems]


class _Counting(io.RawIOBase):
    """A stream that counts the bytes read through it (for the progress bar)."""

    def __init__(self, stream, counter: list) -> None:
        self.stream, self.counter = stream, counter

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.stream.read(len(buffer))
        buffer[:len(data)] = data
        self.counter[0] += len(data)
        return len(data)

    def close(self) -> None:
        self.stream.close()
        super().close()


class _Checks:
    """Each record as ``analyze_file`` and ``validate_entries`` check it; values for COPY."""

    def __init__(self, company, kpis: dict, refs: list, user, out: StreamedImport,
                 shape: str) -> None:
        # A computed KPI is named once per column (wide) or per row (long, KPI per row).
        self.kpis, self.out, self.by_column = kpis, out, shape == WIDE
        self.refs = {ref.code: ref for ref in refs}
        self.refusal = refusal_for(company, user)
        self.computed_columns: set = set()
        self.columns: dict[str, int] = {}  # column label → small id for the temporary table
        self.kpi_ids: set[int] = set()
        self.per_kpi: dict[str, tuple] = {}
        for code in kpis:  # every query before the COPY starts (permissions, team names)
            self._kpi(code)

    def _kpi(self, code: str) -> tuple:
        kpi = self.kpis[code]
        reason = self.refusal(kpi) if self.refusal is not None else ""
        # The file's range check (spreadsheets) used this bound; the writer's may differ.
        same_max = kpi.unit != "percent" or percent_max(kpi) == self.refs[code].percent_max
        found = self.per_kpi[code] = (kpi, kpi.pk, reason, percent_max(kpi), same_max)
        return found

    def rows(self, records) -> list[tuple]:
        out, rows, problems = self.out, [], []
        per_kpi, columns, kpi_ids = self.per_kpi, self.columns, self.kpi_ids
        for record in records:
            kpi, kpi_id, reason, pmax, same_max = per_kpi[record.kpi_code]
            if kpi.is_computed:
                where = record.column if self.by_column else record.row
                if (where, kpi.code) not in self.computed_columns:
                    self.computed_columns.add((where, kpi.code))
                    problems.append(_problem(record.row, record.column, "computed_kpi", _(
                        "%(kpi)s is computed from its formula (%(formula)s); import its inputs "
                        "instead.") % {"kpi": kpi.code, "formula": kpi.formula}))
                continue
            out.record_count += 1
            value = record.value
            if reason:
                # One error per value, in the writer's order: permission first.
                out.add_error(EntryError((record.row, record.column), kpi.code, reason,
                                         "not_allowed"))
            elif (record.percent or not same_max or abs(value) >= MAX_ABS
                  or not PERIOD_MIN <= record.period_date <= PERIOD_MAX):
                # The writer's checks (validate_entries). The file's checks passed on this very
                # value, so they can only differ for a % converted to a ratio or another bound.
                if not self._entry_ok(record, kpi, pmax):
                    continue
            column = columns.get(record.column)
            if column is None:
                column = columns[record.column] = len(columns)
            kpi_ids.add(kpi_id)
            rows.append((record.row, column, kpi_id, record.period_date, value))
        out.add_problems(problems)
        return rows

    def _entry_ok(self, record, kpi, pmax) -> bool:
        """``validate_entries``'s checks of one value: the first error, if any, is kept."""
        ref, out = (record.row, record.column), self.out
        try:
            value = quantize(record.value)
        except (InvalidOperation, TypeError, ValueError):
            out.add_error(EntryError(ref, kpi.code, _("Not a number.")))
            return False
        if not value.is_finite() or abs(value) >= MAX_ABS:
            out.add_error(EntryError(ref, kpi.code, _("The number is too large.")))
            return False
        range_problems = check_range(value, kpi.unit, percent_max=pmax,
                                     allow_negative=kpi.allows_negative)
        for p in range_problems:
            out.add_error(EntryError(ref, kpi.code, str(p.message)))
        if not range_problems and not PERIOD_MIN <= record.period_date <= PERIOD_MAX:
            out.add_error(EntryError(ref, kpi.code, _(
                "The period %(period)s is outside %(min)s–%(max)s.") % {
                "period": record.period_date, "min": PERIOD_MIN.year, "max": PERIOD_MAX.year}))
        return True


def import_stream(*, company, kpis: dict, refs: list, filename: str, opener: Callable, size: int,
                  user=None, write: bool, source=Source.IMPORT, batch_id: int | None = None,
                  progress: Callable[[int, int], None] | None = None) -> StreamedImport:
    """Check the file (and, when ``write``, store it) all or nothing; never raises for bad input.

    ``kpis`` {code: Kpi} and ``refs`` (``metrics.imports.kpi_refs``) are the company's;
    ``opener()`` gives a fresh binary stream of the file each time it is called. ``user`` is
    checked like the writer checks a person (None: the system). The diff (new and changed
    cells, for the preview and for undo) is stored on the ``ImportBatch`` ``batch_id``.
    """
    out = StreamedImport()
    read = [0]
    started = time.perf_counter()
    try:
        table = open_stream(lambda: io.BufferedReader(_Counting(opener(), read), BLOCK),
                            filename, size=size,
                            max_bytes=getattr(settings, "IMPORT_MAX_BYTES", MAX_BYTES),
                            max_rows=getattr(settings, "IMPORT_MAX_ROWS", MAX_ROWS))
    except FileRejected as rejected:
        out.add_problems(_as_dicts(rejected.problems))
        return out
    out.lap("open (bytes, encoding, header)", started)
    read[0] = 0  # progress: the bytes of the pass that reads the rows
    out.file_format, out.encoding, out.sheet = table.format, table.encoding or "", table.sheet or ""
    mapper = StreamMapper(table, refs)
    out.shape = mapper.shape
    checks = _Checks(company, kpis, refs, user, out, mapper.shape)
    with transaction.atomic(), connection.cursor() as cursor:
        # Room for the whole-file steps (the duplicate check's hash, the diff's sort) to stay
        # in memory for a million rows; until this transaction ends.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("CREATE TEMP TABLE import_in (row integer, col smallint, kpi_id bigint, "
                       "period_start date, value numeric(20,4)) ON COMMIT DROP")
        rejected = None
        # One COPY for the whole file: PostgreSQL takes in a chunk while the next one is read
        # and checked (nothing else may use the connection meanwhile: _Checks asked first).
        with cursor.copy("COPY import_in (row, col, kpi_id, period_start, value) FROM STDIN"
                         ) as copy, _no_cyclic_gc():
            # The chunks hold no reference cycles: the cyclic collector would only rescan
            # every live object again and again (a third of the mapping time), so it rests.
            started = time.perf_counter()
            try:
                for chunk in table.chunks(CHUNK_ROWS):
                    started = out.lap("read", started)
                    records, problems = mapper.feed(chunk)
                    out.add_problems(_as_dicts(problems))
                    rows = checks.rows(records)
                    started = out.lap("map and check", started)
                    if out.problem_count < MAX_PROBLEMS:
                        # COPY's text format, written by hand: these are numbers and dates
                        # (nothing to escape), formatted at a quarter of write_row's cost.
                        copy.write("".join(_COPY_LINE % row for row in rows))
                    if progress:
                        progress(read[0] * 6 // 10, size)
                    started = out.lap("copy to a temporary table", started)
            except FileRejected as error:  # the COPY still ends cleanly
                rejected = error
        out.lap("copy to a temporary table", started)
        if rejected is not None:
            out.problems, out.problem_count = [], 0
            out.add_problems(_as_dicts(rejected.problems))
        else:
            out.row_count = table.row_count
            _finish(cursor, company, out, checks, user=user, write=write, source=source,
                    batch_id=batch_id,
                    progress=lambda share: progress and progress(size * share // 10, size))
        cursor.execute("DROP TABLE import_in")
    return out


@contextmanager
def _no_cyclic_gc():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _duplicates(cursor, checks: _Checks) -> list[dict]:
    """Rows giving a KPI and period an earlier row gave (across chunks; ``_Mapper`` within)."""
    # A hash aggregate says whether there are any; the rows are listed only then.
    cursor.execute("SELECT EXISTS (SELECT FROM import_in GROUP BY kpi_id, period_start "
                   "HAVING count(*) > 1)")
    if not cursor.fetchone()[0]:
        return []
    cursor.execute(
        "SELECT kpi_id, period_start, rows, cols FROM (SELECT kpi_id, period_start, "
        "array_agg(row ORDER BY row, col) AS rows, array_agg(col ORDER BY row, col) AS cols "
        "FROM import_in GROUP BY kpi_id, period_start HAVING count(*) > 1) AS d "
        "ORDER BY rows[2] LIMIT %s", [MAX_PROBLEMS])
    labels = {number: label for label, number in checks.columns.items()}
    codes = {kpi.pk: kpi.code for kpi in checks.kpis.values()}
    out = []
    for kpi_id, period, rows, cols in cursor.fetchall():
        for row, col in zip(rows[1:], cols[1:], strict=True):
            out.append(_problem(row, labels[col], "duplicate_row", Text(
                _("Rows %(first)s and %(row)s both give %(kpi)s for %(period)s; keep one."),
                first=rows[0], row=row, kpi=codes[kpi_id], period=period.isoformat())))
    return out


def _finish(cursor, company, out: StreamedImport, checks: _Checks, *, user, write, source,
            batch_id, progress) -> None:
    """The whole-file steps, set-based: duplicates, diff, and the write."""
    started = time.perf_counter()
    duplicates = _duplicates(cursor, checks)
    started = out.lap("duplicates", started)
    if duplicates:
        out.problem_count += len(duplicates)
        merged = sorted(out.problems + duplicates, key=lambda p: p["row"] or 0)
        out.problems = merged[:MAX_PROBLEMS]
    if not out.problem_count and not out.record_count:
        out.add_problems([_problem(None, None, "no_values",
                                   _("The file has no values to import."))])
    if out.problem_count or out.errors:
        return
    if write:
        _lock_kpis_for_writing(checks.kpi_ids)
    table = Measurement._meta.db_table
    # The cells that change: new ones (mid is null) and changed ones, with their old value.
    cursor.execute(
        "CREATE TEMP TABLE import_diff ON COMMIT DROP AS SELECT i.row, i.col, i.kpi_id, "
        "i.period_start, m.id AS mid, m.value AS old, m.source AS old_source, i.value "
        f"FROM import_in i LEFT JOIN {table} m ON m.kpi_id = i.kpi_id "
        "AND m.period_start = i.period_start WHERE m.value IS DISTINCT FROM i.value")
    cursor.execute("SELECT count(*) FILTER (WHERE mid IS NULL), count(*) FROM import_diff")
    new, changing = cursor.fetchone()
    out.new, out.changed, out.unchanged = new, changing - new, out.record_count - changing
    started = out.lap("diff", started)
    if batch_id is not None:
        _keep_diff(cursor, batch_id)
    started = out.lap("diff kept for undo", started)
    progress(7)
    if write and changing:
        _write(cursor, company, out, checks, user=user, source=source)
        started = out.lap("write", started)
    cursor.execute("DROP TABLE import_diff")
    if write:
        out.written_at = timezone.now()
    progress(10)


def _keep_diff(cursor, batch_id: int) -> None:
    """Store the diff on the batch (``ImportBatch.changes``: ``metrics.batch_changes``'s lines,
    in file order) in one statement: PostgreSQL builds the text and its TOAST compresses it,
    so the diff of a million rows never passes through Python."""
    cursor.execute(
        f"UPDATE {ImportBatch._meta.db_table} SET changes = coalesce((SELECT convert_to("
        "string_agg(concat_ws(E'\\t', kpi_id, to_char(period_start, 'YYYY-MM-DD'), "
        "coalesce(old::text, ''), coalesce(old_source, ''), value), E'\\n' ORDER BY row, col), "
        "'UTF8') FROM import_diff), '') WHERE id = %s", [batch_id])


def _write(cursor, company, out: StreamedImport, checks: _Checks, *, user, source) -> None:
    now = timezone.now()
    user_id = user.pk if user is not None else None
    table = Measurement._meta.db_table
    revisions = MeasurementRevision._meta.db_table
    if out.changed:
        cursor.execute(
            f"INSERT INTO {revisions} (measurement_id, old_value, new_value, source, "
            "changed_by_id, changed_at) SELECT mid, old, value, %s, %s, %s FROM import_diff "
            "WHERE mid IS NOT NULL", [source, user_id, now])
        cursor.execute(
            f"UPDATE {table} m SET value = d.value, source = %s, entered_by_id = %s, "
            "updated_at = %s FROM import_diff d WHERE d.mid IS NOT NULL AND m.id = d.mid",
            [source, user_id, now])
    if out.new:
        # A plain INSERT: the KPIs' writer locks are held, so nobody else added these cells
        # since the diff was read (a stray one would fail the whole import, never half of it).
        cursor.execute(
            f"INSERT INTO {table} (company_id, kpi_id, period_start, value, source, "
            "entered_by_id, updated_at) SELECT %s, kpi_id, period_start, value, %s, %s, %s "
            "FROM import_diff WHERE mid IS NULL", [company.pk, source, user_id, now])
    cursor.execute("SELECT DISTINCT kpi_id FROM import_diff")
    touched = {kpi_id for (kpi_id,) in cursor.fetchall()}
    # Computed KPIs: only the changed periods of their inputs are needed.
    computed, parsed = _computed_kpis(company)
    inputs = {computed[name].pk for formula in parsed.values() for name in formula.names
              if name in computed} & touched
    if inputs:
        cursor.execute("SELECT kpi_id, period_start FROM import_diff "
                       "WHERE kpi_id = ANY(%s::bigint[])", [sorted(inputs)])
        changed = set(cursor.fetchall())
        out.computed = recompute_computed(company=company, changed=changed, user=user,
                                          touched=touched)
    started = time.perf_counter()
    facts_refresh(company, touched)
    out.lap("facts", started)

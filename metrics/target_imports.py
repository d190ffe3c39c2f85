"""Import targets from a spreadsheet: the "targets" layout of the import page.

The file is read exactly like a file of numbers (``spreadsheets``: wide — a period column
and one column per KPI —, long — kpi, period, value — or one KPI per row; 万/億, full-width
digits, Japanese eras, Excel serial dates), except that every period is the month that contains it: targets
are stored per month (``metrics.targets``). Nothing is written until the preview has been
seen: the checked entries travel to the "import" button signed (bound to the company, 24 h)
and are written all or nothing through ``targets_set``, each problem named by row, column
and reason in the uploader's language.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _

from metrics.imports import company_kpis
from metrics.models import Kpi
from metrics.targets import (
    TargetEntry,
    TargetsRefused,
    can_set_targets,
    load_plan,
    targets_set,
)
from spreadsheets import FileRejected, KpiRef, read_table, rows_to_records

SALT = "kgiapp.targets-import"
MAX_AGE = 24 * 3600
MAX_ENTRIES = 5_000


@dataclass
class TargetRow:
    kpi: Kpi
    month: date
    value: Decimal
    row: int | None
    column: str | None
    current: Decimal | None = None


@dataclass
class TargetImport:
    filename: str
    rows: list[TargetRow] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)  # [{"row", "column", "code", "message"}]
    token: str = ""  # the signed, checked entries (only when there is no problem)

    @property
    def kpi_count(self):
        return len({r.kpi.pk for r in self.rows})


class TargetImportRefused(Exception):
    def __init__(self, problems: list[dict]):
        super().__init__(problems)
        self.problems = problems


def _problem(row, column, code, message) -> dict:
    return {"row": row, "column": column, "code": code, "message": str(message)}


def _refs(kpis: dict[str, Kpi]) -> list[KpiRef]:
    # cadence "monthly": any day of a month is that month's target.
    return [KpiRef(k.code, k.name_ja, k.name_en, unit=k.unit, cadence="monthly",
                   percent_max=Decimal(1000) if k.code in {"nrr", "grr"} else None,
                   allow_negative=k.allows_negative) for k in kpis.values()]


def targets_analyze(*, company, membership, filename: str, data: bytes) -> TargetImport:
    """Read and check a targets file (a dry run of the write); never raises for bad input."""
    result = TargetImport(filename=filename)
    try:
        table = read_table(data, filename,
                           max_bytes=getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024))
    except FileRejected as rejected:
        result.problems = [_problem(p.row, p.column, p.code, p.message)
                           for p in rejected.problems]
        return result
    kpis = company_kpis(company)
    records, problems = rows_to_records(table, _refs(kpis))
    result.problems = [_problem(p.row, p.column, p.code, p.message) for p in problems]
    refused = set()
    for record in records:
        kpi = kpis[record.kpi_code]
        if not can_set_targets(membership, kpi):
            if kpi.pk not in refused:
                refused.add(kpi.pk)
                result.problems.append(_problem(record.row, record.column, "not_allowed", _(
                    "You may not set the targets of %(kpi)s (planners and its team's "
                    "managers may).") % {"kpi": kpi.name}))
            continue
        result.rows.append(TargetRow(kpi, record.period_date, record.value, record.row,
                                     record.column))
    if len(result.rows) > MAX_ENTRIES:
        result.problems.append(_problem(None, None, "too_many", _(
            "The file has %(n)s targets; at most %(max)s can be imported at once.") % {
            "n": len(result.rows), "max": MAX_ENTRIES}))
    if not result.rows and not result.problems:
        result.problems.append(_problem(None, None, "no_values",
                                        _("The file has no targets to import.")))
    if not result.problems:
        try:
            with transaction.atomic():
                _write(company, result.rows, user=None)
                transaction.set_rollback(True)  # a dry run: the same checks, nothing kept
        except TargetImportRefused as refused_write:
            result.problems = refused_write.problems
    if not result.problems:
        plan = load_plan(company, {r.kpi.pk for r in result.rows})
        for row in result.rows:
            row.current = plan.at(row.kpi, "month", row.month)
        result.token = signing.dumps({
            "company": company.pk, "file": filename[:200],
            "rows": [[r.kpi.code, r.month.isoformat(), str(r.value), r.row, r.column]
                     for r in result.rows]}, salt=SALT, compress=True)
    result.rows.sort(key=lambda r: (r.kpi.code, r.month))
    return result


def _write(company, rows: list[TargetRow], user, reason=""):
    """Every KPI's targets through targets_set in one transaction; all problems or none."""
    by_kpi: dict[int, list[TargetRow]] = {}
    for row in rows:
        by_kpi.setdefault(row.kpi.pk, []).append(row)
    problems = []
    for kpi_rows in by_kpi.values():
        kpi = kpi_rows[0].kpi
        try:
            targets_set(kpi=kpi, user=user, reason=reason, entries=[
                TargetEntry(r.month, r.value) for r in kpi_rows])
        except TargetsRefused as refused:
            for error in refused.errors:
                source = kpi_rows[error.index] if error.index is not None else kpi_rows[0]
                problems.append(_problem(source.row, source.column, error.code, _(
                    "%(kpi)s: %(reason)s") % {"kpi": kpi.name, "reason": error.message}))
    if problems:
        problems.sort(key=lambda p: (p["row"] or 0, p["column"] or ""))
        raise TargetImportRefused(problems)


def targets_import_commit(*, company, membership, token: str, user) -> int:
    """Write the previewed targets, all or nothing; returns how many were in the file."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        raise TargetImportRefused([_problem(None, None, "stale", _(
            "This preview has expired or was changed; upload the file again."))]) from None
    if payload.get("company") != company.pk:
        raise TargetImportRefused([_problem(None, None, "stale", _(
            "This preview has expired or was changed; upload the file again."))])
    kpis = company_kpis(company)
    rows, problems = [], []
    for code, month, value, row, column in payload["rows"]:
        kpi = kpis.get(code)
        if kpi is None or not can_set_targets(membership, kpi):
            problems.append(_problem(row, column, "not_allowed", _(
                "You may not set the targets of %(kpi)s (planners and its team's managers "
                "may).") % {"kpi": kpi.name if kpi else code}))
            continue
        rows.append(TargetRow(kpi, date.fromisoformat(month), Decimal(value), row, column))
    if problems:
        raise TargetImportRefused(problems)
    reason = _("Imported from %(file)s") % {"file": payload.get("file", "")}
    with transaction.atomic():
        _write(company, rows, user=user, reason=reason)
    return len(rows)


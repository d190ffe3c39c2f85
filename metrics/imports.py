"""Importing a spreadsheet: keep the upload, preview every problem, then commit all or nothing.

The pure reading and mapping live in ``metrics.importers``; this module ties them to the
company's KPIs and to ``measurements_bulk_upsert``. The same functions serve the web
upload, the Celery tasks and ``manage.py import_measurements``.
"""
from __future__ import annotations

import hashlib
import io
import shutil
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from metrics.batch_changes import encode
from metrics.import_progress import progress_clear, progress_set
from metrics.import_stream import BLOCK, StreamedImport, import_stream
from metrics.measurements import Entry, MeasurementError, measurements_bulk_upsert
from metrics.models import ImportBatch, ImportStatus, Kpi, Measurement, Source
from spreadsheets import FileRejected, KpiRef, read_table, rows_to_records
from spreadsheets.headers import WIDE, detect_shape
from spreadsheets.mapping import rename, unmapped

# Files whose bytes suggest more than ~5,000 rows are checked and imported by Celery.
ASYNC_BYTES = 150 * 1024
ASYNC_RECORDS = 5_000
MAX_STORED_PROBLEMS = 1_000


@dataclass
class Analysis:
    """What a file would do: its shape and encoding, its entries, every problem."""

    file_format: str = ""
    encoding: str = ""
    sheet: str = ""
    shape: str = ""
    row_count: int = 0
    entries: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # [{"row", "column", "code", "message"}]
    unmapped: list = field(default_factory=list)  # the file's names that are no KPI


def _problem(row, column, code, message) -> dict:
    return {"row": row, "column": column, "code": code, "message": str(message)}


def company_kpis(company) -> dict[str, Kpi]:
    return {k.code: k for k in Kpi.objects.filter(company=company)}


def percent_typical(kpi: Kpi) -> Decimal | None:
    """The median of a percent KPI's last 12 numbers (None for other units or no numbers)."""
    if kpi.unit != "percent":
        return None
    recent = sorted(Measurement.objects.filter(kpi=kpi).order_by("-period_start")
                    .values_list("value", flat=True)[:12])
    return recent[len(recent) // 2] if recent else None


def kpi_refs(kpis: dict[str, Kpi]) -> list[KpiRef]:
    refs = []
    for kpi in kpis.values():
        percent_max = Decimal("1000") if kpi.code in {"nrr", "grr"} else None
        refs.append(KpiRef(kpi.code, kpi.name_ja, kpi.name_en, unit=kpi.unit,
                           cadence=kpi.cadence, percent_max=percent_max,
                           typical=percent_typical(kpi),
                           allow_negative=kpi.allows_negative))
    return refs


def analyze_file(*, company, filename: str, data: bytes, mapping=None) -> Analysis:
    """Read and map the file against the company's KPIs; never raises for bad input.

    ``mapping`` renames the file's names first (a source's, see spreadsheets.mapping).
    """
    analysis = Analysis()
    max_bytes = getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024)
    try:
        table = read_table(data, filename, max_bytes=max_bytes)
    except FileRejected as rejected:
        analysis.problems = [_problem(p.row, p.column, p.code, p.message)
                             for p in rejected.problems]
        return analysis
    kpis = company_kpis(company)
    refs = kpi_refs(kpis)
    analysis.file_format = table.format
    analysis.encoding = table.encoding or ""
    analysis.sheet = table.sheet or ""
    analysis.row_count = table.row_count
    if mapping is not None:
        rename(table, mapping, refs)
        analysis.unmapped = unmapped(table, refs)
    analysis.shape = detect_shape(table.headers, refs)
    records, problems = rows_to_records(table, refs)
    analysis.problems = [_problem(p.row, p.column, p.code, p.message) for p in problems]
    computed_columns = set()
    for record in records:
        kpi = kpis[record.kpi_code]
        if kpi.is_computed:
            # One problem per column (wide) or per row (long, KPI per row), not per cell.
            where = record.column if analysis.shape == WIDE else record.row
            if (where, kpi.code) not in computed_columns:
                computed_columns.add((where, kpi.code))
                analysis.problems.append(_problem(record.row, record.column, "computed_kpi", _(
                    "%(kpi)s is computed from its formula (%(formula)s); import its inputs "
                    "instead.") % {"kpi": kpi.code, "formula": kpi.formula}))
            continue
        analysis.entries.append(Entry(kpi, record.period_date, record.value,
                                      (record.row, record.column)))
    if not analysis.entries and not analysis.problems:
        analysis.problems.append(_problem(None, None, "no_values",
                                          _("The file has no values to import.")))
    return analysis


def _errors_as_problems(error: MeasurementError) -> list[dict]:
    out = []
    for e in error.errors:
        row, column = e.ref if isinstance(e.ref, tuple) else (None, None)
        out.append(_problem(row, column, e.code, e.message))
    return out


def preview_counts(*, company, analysis: Analysis, user=None):
    """new / changed / unchanged if ``user`` imported the file now (nothing is written)."""
    return measurements_bulk_upsert(company=company, entries=analysis.entries,
                                    source=Source.IMPORT, user=user, dry_run=True)


def import_batch_create(*, company, user, filename: str, data: bytes,
                        language: str = "") -> ImportBatch:
    """Keep the uploaded bytes until the preview is committed or abandoned."""
    return ImportBatch.objects.create(
        company=company, uploaded_by=user, filename=filename[:255], data=data, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        language=language or translation.get_language() or "",
        status=ImportStatus.UPLOADED if len(data) <= ASYNC_BYTES else ImportStatus.ANALYZING,
    )


def _in_uploaders_language(batch):
    # A worker has no request: problems are written in the language of the upload.
    return translation.override(batch.language or batch.company.language)


def _store_analysis(batch, analysis: Analysis, counts=None):
    batch.file_format = analysis.file_format
    batch.encoding = analysis.encoding
    batch.sheet_name = analysis.sheet
    batch.shape = analysis.shape
    batch.row_count = analysis.row_count
    batch.record_count = len(analysis.entries)
    batch.problems = analysis.problems[:MAX_STORED_PROBLEMS]
    if counts is not None:
        batch.new_count, batch.changed_count = counts.new, counts.changed
        batch.unchanged_count = counts.unchanged
        batch.changes = encode(counts.cells)
        batch.written_at = counts.written_at


def import_analyze(*, batch: ImportBatch) -> ImportBatch:
    """Check the kept file: every problem by row and column, or the counts it would change.

    The uploader is checked too: values for KPIs they may not enter are problems. An
    unexpected error marks the batch failed (never left "analyzing"), then propagates.
    """
    try:
        return import_analyze_locked(batch)
    except Exception:
        import_mark_failed(batch.pk)
        raise


def import_analyze_locked(batch: ImportBatch) -> ImportBatch:
    """``import_analyze`` without the failure guard (the caller holds the row lock and
    marks the batch failed outside its transaction)."""
    with _in_uploaders_language(batch):
        if _streamed():
            _store_streamed(batch, _stream(batch, user=batch.uploaded_by, write=False))
            batch.status = ImportStatus.INVALID if batch.problems else ImportStatus.READY
            batch.save(update_fields=STREAMED_FIELDS)
            batch.__dict__.pop("changes", None)  # written in SQL: read again if asked for
            return batch
        analysis = analyze_file(company=batch.company, filename=batch.filename,
                                data=bytes(batch.data))
        counts = None
        if not analysis.problems:
            try:
                counts = preview_counts(company=batch.company, analysis=analysis,
                                        user=batch.uploaded_by)
            except MeasurementError as error:
                analysis.problems = _errors_as_problems(error)
    _store_analysis(batch, analysis, counts)
    batch.status = ImportStatus.INVALID if analysis.problems else ImportStatus.READY
    batch.save()
    return batch


def import_mark_failed(batch_id: int) -> None:
    """An unexpected error: the batch says so instead of staying "working" for ever."""
    batch = ImportBatch.objects.defer("data", "changes").select_related("company").filter(
        pk=batch_id).first()
    if batch is None:
        return
    with _in_uploaders_language(batch):
        message = _("The import failed on the server; nothing was written. Upload the file "
                    "again.")
    ImportBatch.objects.filter(
        pk=batch_id, status__in=[ImportStatus.UPLOADED, ImportStatus.ANALYZING,
                                 ImportStatus.QUEUED, ImportStatus.RUNNING],
    ).update(status=ImportStatus.FAILED, finished_at=timezone.now(),
             problems=[_problem(None, None, "server_error", message)])
    progress_clear(batch_id)


def import_commit(*, batch_id: int, user=None) -> ImportBatch:
    """``_import_commit``; an unexpected error marks the batch failed, then propagates."""
    try:
        return _import_commit(batch_id=batch_id, user=user)
    except Exception:
        import_mark_failed(batch_id)
        raise


def _import_commit(*, batch_id: int, user=None) -> ImportBatch:
    """Import the kept file all or nothing, as ``user`` — by default the person who asked
    for the commit (``commit_requested_by``), else the uploader — checked at the write.

    When that person may not enter some of the numbers and is not the uploader, the batch
    goes back to "ready" (it stays the uploader's to import) and ``batch.refusals`` says why.
    Safe to run twice and to run again after a worker died half-way: a finished batch is
    left alone; a batch left "running" by a dead worker is imported by the next run.
    """
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().defer("data", "changes").get(pk=batch_id)
        if batch.status not in {ImportStatus.READY, ImportStatus.QUEUED, ImportStatus.RUNNING}:
            return batch
        if batch.status != ImportStatus.RUNNING:
            # Committed at once, so the progress bar can say "importing".
            batch.status = ImportStatus.RUNNING
            batch.save(update_fields=["status"])
    with transaction.atomic():
        # The row lock is held until the import commits: a second run waits here and then
        # finds the batch done. A dead worker's lock went with its connection, so a
        # "running" batch nobody holds is taken over.
        batch = (ImportBatch.objects.select_for_update(of=("self",))
                 .select_related("company").defer("data", "changes").get(pk=batch_id))
        if batch.status != ImportStatus.RUNNING:
            return batch
        committer = user or batch.commit_requested_by or batch.uploaded_by
        if _streamed():
            return _commit_streamed(batch, committer)
        with _in_uploaders_language(batch):
            analysis = analyze_file(company=batch.company, filename=batch.filename,
                                    data=bytes(batch.data))
            result = None
            if not analysis.problems:
                try:
                    result = measurements_bulk_upsert(
                        company=batch.company, entries=analysis.entries, source=Source.IMPORT,
                        user=committer,
                        progress=lambda done, total: progress_set(batch.pk, done, total),
                    )
                except MeasurementError as error:
                    if _refused_to_another(error, batch, committer):
                        return _back_to_ready(batch, error)
                    analysis.problems = _errors_as_problems(error)
        _store_analysis(batch, analysis, result)
        batch.status = ImportStatus.INVALID if analysis.problems else ImportStatus.DONE
        batch.finished_at = timezone.now()
        batch.save()
    progress_clear(batch.pk)
    return batch


def _refused_to_another(error: MeasurementError, batch, committer) -> bool:
    return (committer is not None and committer.pk != batch.uploaded_by_id
            and all(e.code == "not_allowed" for e in error.errors))


def _back_to_ready(batch, error: MeasurementError | list[str]) -> ImportBatch:
    """Someone without the rights clicked commit: nothing written, the batch stays ready."""
    batch.status = ImportStatus.READY
    batch.commit_requested_by = None
    batch.save(update_fields=["status", "commit_requested_by"])
    progress_clear(batch.pk)
    messages = error if isinstance(error, list) else (e.message for e in error.errors)
    batch.refusals = list(dict.fromkeys(messages))
    return batch


# --- the streamed path (PostgreSQL): the kept file is never loaded whole ---------------


def _streamed() -> bool:
    return connection.vendor == "postgresql"


class _KeptFile(io.RawIOBase):
    """The kept upload, read from its row a block at a time (``substring`` of the bytea)."""

    def __init__(self, batch_id: int) -> None:
        self.batch_id, self.offset = batch_id, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT substring(data FROM %s FOR %s) FROM metrics_importbatch "
                           "WHERE id = %s", [self.offset + 1, len(buffer), self.batch_id])
            data = bytes(cursor.fetchone()[0])
        buffer[:len(data)] = data
        self.offset += len(data)
        return len(data)


def _stream(batch, *, user, write: bool, progress=None) -> StreamedImport:
    kpis = company_kpis(batch.company)
    # The kept file goes to a local temporary file a block at a time: the reader takes it
    # from there while the connection streams the checked rows into PostgreSQL.
    with tempfile.NamedTemporaryFile(prefix="kgi-import-") as spool:
        with _KeptFile(batch.pk) as kept:
            shutil.copyfileobj(kept, spool, BLOCK)
        spool.flush()
        size = spool.tell()
        try:
            return import_stream(company=batch.company, kpis=kpis, refs=kpi_refs(kpis),
                                 filename=batch.filename, opener=lambda: open(spool.name, "rb"),
                                 size=size, user=user, write=write, source=Source.IMPORT,
                                 batch_id=batch.pk, progress=progress)
        except MeasurementError as error:  # a computed KPI out of range: nothing was written
            return StreamedImport(problems=_errors_as_problems(error)[:MAX_STORED_PROBLEMS])


def _store_streamed(batch, streamed: StreamedImport) -> None:
    batch.file_format = streamed.file_format
    batch.encoding = streamed.encoding
    batch.sheet_name = streamed.sheet
    batch.shape = streamed.shape
    batch.row_count = streamed.row_count
    batch.record_count = streamed.record_count
    batch.problems = (streamed.problems or streamed.error_problems)[:MAX_STORED_PROBLEMS]
    if not batch.problems:
        batch.new_count, batch.changed_count = streamed.new, streamed.changed
        batch.unchanged_count = streamed.unchanged
        batch.written_at = streamed.written_at


# Saved by the streamed path; ``changes`` was written by ``import_stream`` in SQL and
# ``data`` is never loaded.
STREAMED_FIELDS = ["file_format", "encoding", "sheet_name", "shape", "row_count", "record_count",
                   "problems", "new_count", "changed_count", "unchanged_count", "written_at",
                   "status"]


def _commit_streamed(batch, committer) -> ImportBatch:
    """``_import_commit``'s write, streamed (the caller holds the batch's row lock)."""
    with _in_uploaders_language(batch):
        streamed = _stream(batch, user=committer, write=True,
                           progress=lambda done, total: progress_set(batch.pk, done, total))
    if (not streamed.problems and streamed.errors and streamed.refusals_only
            and committer is not None and committer.pk != batch.uploaded_by_id):
        return _back_to_ready(batch, list(streamed.refusals))
    _store_streamed(batch, streamed)
    batch.status = ImportStatus.INVALID if batch.problems else ImportStatus.DONE
    batch.finished_at = timezone.now()
    batch.save(update_fields=[*STREAMED_FIELDS, "finished_at"])
    batch.__dict__.pop("changes", None)
    progress_clear(batch.pk)
    return batch

"""What an import batch changes, cell by cell, and undoing a committed batch.

The writer (``measurements_bulk_upsert``) answers the diff of a write or a dry run
(``UpsertResult.cells``); it is kept on the batch (``ImportBatch.changes``) as compressed
tab-separated lines ``kpi_id, period, old value, old source, new value`` — zlib, or plain
lines that PostgreSQL wrote for a streamed import and its TOAST storage compresses (an empty old value:
the cell was new; an empty new value: the cell is cleared, an undone new cell).

``batch_undo`` restores every cell of a committed batch to its value before the batch —
values and sources exactly, new cells removed — through the one writer, as its own batch
(``undo_of``), by the batch's owner or an admin, and only while no later write changed one
of its cells (otherwise it names them).
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.measurements import (
    Entry,
    MeasurementError,
    _lock_kpis_for_writing,
    measurements_bulk_upsert,
    measurements_clear,
)
from metrics.models import ImportBatch, ImportStatus, Kpi, Measurement, Source
from teams.models import Membership
from teams.permissions import can

SHOWN = 200  # cells listed on a page; the counts say the rest


@dataclass(frozen=True)
class Cell:
    kpi_id: int
    period: date
    old: Decimal | None
    old_source: str
    new: Decimal | None


def encode(cells) -> bytes:
    """``UpsertResult.cells`` → bytes for ``ImportBatch.changes``."""
    if not cells:
        return b""
    lines = "\n".join(
        f"{k}\t{p.isoformat()}\t{'' if old is None else old[0]}\t"
        f"{'' if old is None else old[1]}\t{'' if new is None else new}"
        for (k, p), old, new in cells)
    return zlib.compress(lines.encode(), 1)


def decode(data, limit: int | None = None) -> list[Cell]:
    """The cells (the first ``limit`` of them: a page parses no more than it shows)."""
    if not data:
        return []
    cells = []
    data = bytes(data)
    # zlib from ``encode``; plain lines from the streamed import (``metrics.import_stream``:
    # PostgreSQL wrote them, its TOAST storage compresses them). Lines start with a digit.
    text = (zlib.decompress(data) if data[:1] == b"x" else data).decode()
    lines = text.split("\n", limit) if limit else text.split("\n")
    for line in lines[:limit]:
        kpi_id, period, old, old_source, new = line.split("\t")
        cells.append(Cell(int(kpi_id), date.fromisoformat(period),
                          Decimal(old) if old else None, old_source,
                          Decimal(new) if new else None))
    return cells


def diff_rows(batch: ImportBatch, limit: int = SHOWN) -> list[dict]:
    """The first ``limit`` cells of the batch for a page: KPI, period, old → new."""
    cells = decode(batch.changes, limit)
    kpis = Kpi.objects.filter(company=batch.company_id).in_bulk({c.kpi_id for c in cells})
    return [{"kpi": kpis.get(c.kpi_id), "period": c.period, "old": c.old, "new": c.new}
            for c in cells]


class UndoRefused(Exception):
    """Why a batch cannot be undone (a translated sentence); ``cells`` names the conflicts."""

    def __init__(self, message, cells=()):
        super().__init__(message)
        self.message = str(message)
        self.cells = list(cells)


def can_undo(batch: ImportBatch, user) -> bool:
    """Its owner (the uploader, a source's owner) or an admin of the company."""
    if user is None or not user.is_authenticated:
        return False
    if batch.uploaded_by_id == user.pk:
        return True
    membership = Membership.objects.filter(company_id=batch.company_id, user=user).first()
    return membership is not None and can(membership, "admin")


def _conflicts(batch: ImportBatch, cells: list[Cell]) -> list[str]:
    """Cells of the batch a later write changed (or removed): "revenue 2026-01-05"."""
    by_kpi: dict[int, set[date]] = {}
    for cell in cells:
        by_kpi.setdefault(cell.kpi_id, set()).add(cell.period)
    stored = {}
    for kpi_id, periods in by_kpi.items():
        rows = Measurement.objects.filter(company=batch.company_id, kpi_id=kpi_id,
                                          period_start__in=periods)
        stored.update({(kpi_id, p): (v, at) for p, v, at in
                       rows.values_list("period_start", "value", "updated_at")})
    codes = dict(Kpi.objects.filter(pk__in=by_kpi).values_list("pk", "code"))
    out = []
    for cell in cells:
        now = stored.get((cell.kpi_id, cell.period))
        if cell.kpi_id not in codes:
            changed = True  # the KPI was deleted since
        elif cell.new is None:
            changed = now is not None
        else:
            changed = now is None or now[0] != cell.new or now[1] > batch.written_at
        if changed:
            out.append(f"{codes.get(cell.kpi_id, '?')} {cell.period.isoformat()}")
    return out


def batch_undo(*, batch_id: int, user) -> ImportBatch:
    """Undo a committed batch as ``user``; answers the undo's own batch (UndoRefused: why not)."""
    try:
        with transaction.atomic():
            batch = (ImportBatch.objects.select_for_update(of=("self",))
                     .select_related("company").get(pk=batch_id))
            if not can_undo(batch, user):
                raise UndoRefused(_("Only the person who imported it or an admin may undo "
                                    "this import."))
            if batch.status != ImportStatus.DONE or batch.written_at is None:
                raise UndoRefused(_("Only a finished import can be undone."))
            if ImportBatch.objects.filter(undo_of=batch).exists():
                raise UndoRefused(_("This import was undone already."))
            cells = decode(batch.changes)
            if not cells:
                raise UndoRefused(_("This import changed no value; there is nothing to undo."))
            _lock_kpis_for_writing({c.kpi_id for c in cells})
            conflicts = _conflicts(batch, cells)
            if conflicts:
                raise UndoRefused(_("These values were changed after this import, so it can no "
                                    "longer be undone: %(cells)s") % {
                    "cells": ", ".join(conflicts[:20]) + ("…" if len(conflicts) > 20 else "")},
                    conflicts)
            return _restore(batch, cells, user)
    except MeasurementError as error:
        raise UndoRefused("; ".join(dict.fromkeys(e.message for e in error.errors))) from None
    except IntegrityError:  # a second undo at the same time
        raise UndoRefused(_("This import was undone already.")) from None


def _restore(batch: ImportBatch, cells: list[Cell], user) -> ImportBatch:
    company = batch.company
    kpis = Kpi.objects.filter(company=company).in_bulk({c.kpi_id for c in cells})
    by_source: dict[str, list[Entry]] = {}
    cleared = set()
    for index, cell in enumerate(cells, 1):
        if cell.old is None:
            cleared.add((cell.kpi_id, cell.period))
        else:
            by_source.setdefault(cell.old_source or Source.IMPORT, []).append(
                Entry(kpis[cell.kpi_id], cell.period, cell.old, index))
    diff = []
    for source, entries in by_source.items():
        result = measurements_bulk_upsert(company=company, entries=entries, source=source,
                                          user=user)
        diff.extend(result.cells)
    if cleared:
        measurements_clear(company=company, keys=cleared, user=user)
        diff.extend(((c.kpi_id, c.period), (c.new, Source.IMPORT), None)
                    for c in cells if c.old is None)
    now = timezone.now()
    return ImportBatch.objects.create(
        company=company, uploaded_by=user, filename=(_("Undo of %(file)s") % {
            "file": batch.filename})[:255], data=b"", size=0, language=batch.language,
        status=ImportStatus.DONE, record_count=len(cells), changed_count=len(cells),
        changes=encode(diff), written_at=now, finished_at=now, undo_of=batch)

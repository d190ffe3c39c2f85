"""A big import is streamed (issue 23): chunks of rows, one transaction, nothing half-written."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import translation

from metrics import import_stream
from metrics.batch_changes import batch_undo, decode
from metrics.imports import import_analyze, import_batch_create, import_commit
from metrics.models import ImportBatch, ImportStatus, Measurement, MeasurementRevision
from tests.metrics.factories import KpiFactory

pytestmark = pytest.mark.django_db

CHUNK = 50  # rows per chunk in these tests: every file below spans several chunks
MONDAY = date(2025, 1, 6)


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(import_stream, "CHUNK_ROWS", CHUNK)


@pytest.fixture
def kpis(world):
    return {code: KpiFactory(company=world.company, code=code, name_en=code.title(),
                             name_ja=code, team=world.team, unit="count", cadence="weekly")
            for code in ("visits", "orders")}


def long_file(rows, *, last=None) -> bytes:
    lines = ["kpi,period,value"]
    for index in range(rows):
        code = "visits" if index % 2 else "orders"
        lines.append(f"{code},{(MONDAY + timedelta(weeks=index // 2)).isoformat()},{index}")
    if last is not None:
        lines[-1] = last
    return ("\r\n".join(lines) + "\r\n").encode()


def upload(world, data, role="admin"):
    batch = import_batch_create(company=world.company, user=world.user(role),
                                filename="big.csv", data=data, language="en")
    return import_analyze(batch=batch)


def state():
    return (sorted(Measurement.objects.values_list("kpi__code", "period_start", "value")),
            MeasurementRevision.objects.count())


def force_commit(batch):
    """Commit a batch as if its preview had passed (the file is read and checked again)."""
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.READY)
    with translation.override("en"):
        return import_commit(batch_id=batch.pk)


def test_a_bad_value_in_the_last_chunk_leaves_nothing_written_and_names_its_row(world, kpis):
    upload(world, long_file(20))  # something the bad file could overwrite
    before = state()
    data = long_file(8 * CHUNK, last="visits,2030-01-07,abc")
    batch = upload(world, data)
    assert batch.status == ImportStatus.INVALID
    assert [(p["row"], p["column"], p["code"]) for p in batch.problems] == [
        (8 * CHUNK + 1, "value", "not_a_number")]
    assert "abc" in batch.problems[0]["message"]
    # The commit reads and checks the file again: seven chunks go through before the bad one.
    batch = force_commit(batch)
    assert batch.status == ImportStatus.INVALID
    assert batch.problems[0]["row"] == 8 * CHUNK + 1
    assert state() == before


def test_two_rows_in_different_chunks_for_one_cell_are_refused_naming_both(world, kpis):
    before = state()
    data = long_file(4 * CHUNK, last="orders,2025-01-06,7")  # the first row's KPI and week
    batch = force_commit(upload(world, data))
    assert batch.status == ImportStatus.INVALID
    assert [(p["row"], p["column"], p["code"]) for p in batch.problems] == [
        (4 * CHUNK + 1, "value", "duplicate_row")]
    assert batch.problems[0]["message"] == (
        f"Rows 2 and {4 * CHUNK + 1} both give orders for 2025-01-06; keep one.")
    assert state() == before


def test_a_refused_kpi_in_the_last_chunk_refuses_the_whole_file(world, kpis):
    KpiFactory(company=world.company, code="secret", name_en="Secret", name_ja="secret",
               unit="count", cadence="weekly", team=None)
    before = state()
    data = long_file(4 * CHUNK, last="secret,2030-01-07,5")
    batch = upload(world, data, role="member")
    assert batch.status == ImportStatus.INVALID
    assert [(p["row"], p["column"], p["code"]) for p in batch.problems] == [
        (4 * CHUNK + 1, "value", "not_allowed")]
    assert state() == before


def test_a_streamed_import_stores_every_row_and_keeps_its_diff_in_file_order(world, kpis):
    rows = 5 * CHUNK + 3
    batch = import_commit(batch_id=upload(world, long_file(rows)).pk)
    assert batch.status == ImportStatus.DONE, batch.problems[:3]
    assert (batch.row_count, batch.record_count, batch.new_count) == (rows, rows, rows)
    assert Measurement.objects.filter(company=world.company).count() == rows
    cells = decode(batch.changes)
    assert [(c.kpi_id, c.period, c.old, c.new) for c in cells[:3]] == [
        (kpis["orders"].pk, MONDAY, None, Decimal("0.0000")),
        (kpis["visits"].pk, MONDAY, None, Decimal("1.0000")),
        (kpis["orders"].pk, MONDAY + timedelta(weeks=1), None, Decimal("2.0000")),
    ]
    assert len(cells) == rows
    # Again with one value changed: one revision, the rest unchanged, and undo restores it.
    data = long_file(rows, last=f"orders,{(MONDAY + timedelta(weeks=(rows - 1) // 2)).isoformat()},9")
    again = import_commit(batch_id=upload(world, data).pk)
    assert (again.new_count, again.changed_count, again.unchanged_count) == (0, 1, rows - 1)
    assert MeasurementRevision.objects.get().old_value == Decimal(rows - 1)
    [cell] = decode(again.changes)
    assert (cell.old, cell.old_source, cell.new) == (Decimal(rows - 1), "import", Decimal(9))
    batch_undo(batch_id=again.pk, user=world.user("admin"))
    assert Measurement.objects.get(kpi=kpis["orders"], period_start=cell.period).value == rows - 1


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="the kept file is streamed on PostgreSQL (SQLite reads it whole)")
def test_the_upload_is_read_from_the_database_a_block_at_a_time(world, kpis, monkeypatch):
    from metrics import imports

    reads = []
    readinto = imports._KeptFile.readinto

    def recording(self, buffer):
        reads.append(len(buffer))
        return readinto(self, buffer)

    monkeypatch.setattr(imports._KeptFile, "readinto", recording)
    data = long_file(4 * CHUNK)
    batch = upload(world, data)
    assert batch.status == ImportStatus.READY
    assert reads and max(reads) <= import_stream.BLOCK

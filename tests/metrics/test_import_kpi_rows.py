"""A report with one KPI per row and one column per week imports like the other layouts:
preview, commit, undo (streamed on PostgreSQL, whole-file on SQLite)."""
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from metrics.imports import import_analyze, import_batch_create, import_commit
from metrics.models import ImportBatch, ImportStatus, Measurement
from tests.metrics.factories import small_tree
from tests.spreadsheets.badfiles import xlsx_bytes

pytestmark = pytest.mark.django_db

REPORT = (
    "指標,2026/3/2,2026/3/9,2026/3/16\r\n"
    "ユニークユーザー数,\"12,000\",12500,13000\r\n"
    "平均注文額,3450,-,3480\r\n"
)


@pytest.fixture
def kpis(world):
    return small_tree(world.company, world.team)


def stored():
    return sorted(Measurement.objects.values_list("kpi__code", "period_start", "value"))


def analyzed(world, filename, data):
    batch = import_batch_create(company=world.company, user=world.user("member"),
                                filename=filename, data=data)
    return import_analyze(batch=batch)


def test_report_is_previewed_committed_and_undone_through_the_pages(client, world, kpis):
    client.force_login(world.user("member"))
    upload = SimpleUploadedFile("report.csv", REPORT.encode("cp932"))
    response = client.post(reverse("import-upload", args=["acme"]), {"file": upload})
    batch = ImportBatch.objects.latest("pk")
    assert (batch.status, batch.shape, batch.problems) == (ImportStatus.READY, "rows", [])
    page = client.get(response["Location"]).content.decode()
    assert "KPI per row" in page or "KPI行型" in page
    assert not Measurement.objects.exists()

    client.post(reverse("import-commit", args=["acme", batch.pk]))
    assert stored() == [
        ("aov", date(2026, 3, 2), Decimal("3450")), ("aov", date(2026, 3, 16), Decimal("3480")),
        ("uu", date(2026, 3, 2), Decimal("12000")), ("uu", date(2026, 3, 9), Decimal("12500")),
        ("uu", date(2026, 3, 16), Decimal("13000"))]

    client.post(reverse("import-undo", args=["acme", batch.pk]))
    assert stored() == []
    assert ImportBatch.objects.get(undo_of=batch).status == ImportStatus.DONE


def test_xlsx_report_with_date_header_cells_lands_on_each_week(world, kpis):
    data = xlsx_bytes(["KPI", datetime(2026, 3, 2), datetime(2026, 3, 9)],
                      ["Unique users", 100, 110], ["cpc", 40, 42])
    batch = import_commit(batch_id=analyzed(world, "report.xlsx", data).pk)
    assert batch.status == ImportStatus.DONE
    assert stored() == [
        ("cpc", date(2026, 3, 2), Decimal("40")), ("cpc", date(2026, 3, 9), Decimal("42")),
        ("uu", date(2026, 3, 2), Decimal("100")), ("uu", date(2026, 3, 9), Decimal("110"))]


def test_problems_name_row_and_column_and_nothing_is_written(world, kpis):
    data = ("指標,2026/3/2,2026/3/9,合計\r\n"
            "ユニークユーザー数,100,abc,100\r\n"
            "売上高,1,2,3\r\n"
            "広告流入UU,5,6,11\r\n").encode()
    batch = analyzed(world, "report.csv", data)
    assert batch.status == ImportStatus.INVALID
    assert sorted((p["row"], p["column"], p["code"]) for p in batch.problems) == [
        (1, "合計", "not_a_period_column"),
        (2, "2026/3/9", "not_a_number"),
        (3, "指標", "unknown_kpi"),
        (4, "2026/3/2", "computed_kpi"),  # once for its row, not once per cell
    ]
    assert import_commit(batch_id=batch.pk).status == ImportStatus.INVALID
    assert not Measurement.objects.exists()

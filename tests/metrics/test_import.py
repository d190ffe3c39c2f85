"""Importing spreadsheets: preview every problem, commit all or nothing, bad files change nothing."""
import codecs
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from metrics.imports import import_analyze, import_batch_create, import_commit
from metrics.models import ImportBatch, ImportStatus, Measurement, MeasurementRevision
from spreadsheets.table import MAX_BYTES, MAX_ROWS
from tests.metrics.factories import small_tree
from tests.spreadsheets.badfiles import bad_files

JAPANESE_WIDE = (
    "期間,ユニークユーザー数,購入率,平均注文額\r\n"
    "2026/3/2,\"12,000\",1.9%,\"3,450\"\r\n"
    "2026/3/9,１２５００,2.1%,3500\r\n"
    "2026/3/16,13000,2.0,\"￥3,480\"\r\n"
)


@pytest.fixture
def kpis(world):
    return small_tree(world.company, world.team)


def db_state():
    return (Measurement.objects.count(), MeasurementRevision.objects.count(),
            sorted(Measurement.objects.values_list("kpi_id", "period_start", "value")))


def commit_file(world, filename, data):
    batch = import_batch_create(company=world.company, user=world.user("member"),
                                filename=filename, data=data)
    import_analyze(batch=batch)
    return import_commit(batch_id=batch.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(("filename", "data", "code"),
                         [pytest.param(f, d, c, id=n) for n, f, d, c in bad_files()])
def test_bad_file_leaves_the_database_unchanged_with_a_clear_message(world, kpis, filename,
                                                                   data, code, settings):
    # The bad files are built against the reader's own limits (20 MB, 200,000 rows).
    settings.IMPORT_MAX_BYTES, settings.IMPORT_MAX_ROWS = MAX_BYTES, MAX_ROWS
    # Something to corrupt: a value the bad file might overwrite.
    commit_file(world, "good.csv", "期間,UU,CVR,AOV\r\n2026-01-05,10,2.0,3000\r\n".encode())
    before = db_state()
    with translation.override("en"):
        batch = commit_file(world, filename, data)
    assert db_state() == before
    assert batch.status == ImportStatus.INVALID
    assert code in [p["code"] for p in batch.problems], batch.problems
    assert all(p["message"].strip() for p in batch.problems)


@pytest.mark.django_db
def test_cp932_file_with_japanese_headers_imports_like_the_utf8_bom_file(world, kpis):
    cp932 = commit_file(world, "excel.csv", JAPANESE_WIDE.encode("cp932"))
    assert cp932.status == ImportStatus.DONE, cp932.problems
    assert cp932.encoding == "cp932" and cp932.shape == "wide"
    assert (cp932.new_count, cp932.changed_count) == (9, 0)
    stored = db_state()
    utf8 = commit_file(world, "excel-utf8.csv", codecs.BOM_UTF8 + JAPANESE_WIDE.encode())
    assert utf8.status == ImportStatus.DONE, utf8.problems
    assert (utf8.new_count, utf8.changed_count, utf8.unchanged_count) == (0, 0, 9)
    assert db_state() == stored


@pytest.mark.django_db
def test_reimporting_the_same_file_reports_nothing_changed(world, kpis):
    data = b"kpi,period,value\r\nuu,2026-03-02,1000\r\ncvr,2026-03-02,2.5%\r\n"
    first = commit_file(world, "long.csv", data)
    second = commit_file(world, "long.csv", data)
    assert (first.new_count, first.changed_count) == (2, 0)
    assert (second.new_count, second.changed_count, second.unchanged_count) == (0, 0, 2)


@pytest.mark.django_db
def test_a_computed_kpi_column_is_refused_by_name(world, kpis):
    batch = commit_file(world, "c.csv", "期間,uu,paid_uu\r\n2026-03-02,1,2\r\n".encode())
    assert batch.status == ImportStatus.INVALID
    assert [p["code"] for p in batch.problems] == ["computed_kpi"]
    assert not Measurement.objects.exists()


@pytest.mark.django_db
def test_upload_preview_then_commit_through_the_pages(client, world, kpis):
    client.force_login(world.user("member"))
    upload = SimpleUploadedFile("w.csv", JAPANESE_WIDE.encode("cp932"))
    response = client.post(reverse("import-upload", args=["acme"]), {"file": upload})
    batch = ImportBatch.objects.latest("pk")
    assert response["Location"] == reverse("import-preview", args=["acme", batch.pk])
    page = client.get(response["Location"]).content.decode()
    assert "cp932" in page and not Measurement.objects.exists()
    client.post(reverse("import-commit", args=["acme", batch.pk]))
    assert Measurement.objects.count() == 9
    # Committing twice does nothing more.
    client.post(reverse("import-commit", args=["acme", batch.pk]))
    assert Measurement.objects.count() == 9


@pytest.mark.django_db
def test_preview_names_each_problem_by_row_and_column(client, world, kpis):
    client.force_login(world.user("member"))
    data = "期間,UU,CVR\r\n2026-03-02,abc,2.0\r\n2026-03-09,10,140\r\n".encode()
    client.post(reverse("import-upload", args=["acme"]),
                {"file": SimpleUploadedFile("bad.csv", data)})
    batch = ImportBatch.objects.latest("pk")
    assert [(p["row"], p["column"]) for p in batch.problems] == [(2, "UU"), (3, "CVR")]
    page = client.get(reverse("import-preview", args=["acme", batch.pk])).content.decode()
    assert "abc" in page
    assert client.post(reverse("import-commit", args=["acme", batch.pk])).status_code == 302
    assert not Measurement.objects.exists()


@pytest.mark.django_db
def test_another_companys_batch_is_not_found(client, world, kpis):
    batch = import_batch_create(company=world.other, user=None, filename="x.csv", data=b"x")
    client.force_login(world.user("admin"))
    assert client.get(reverse("import-preview", args=["acme", batch.pk])).status_code == 404


@pytest.mark.django_db
def test_command_imports_and_prints_a_summary(world, kpis, tmp_path):
    path = tmp_path / "w.csv"
    path.write_bytes(JAPANESE_WIDE.encode("cp932"))
    out = StringIO()
    call_command("import_measurements", "--company", "acme", str(path), "--dry-run", stdout=out)
    assert "9 new" in out.getvalue() and not Measurement.objects.exists()
    call_command("import_measurements", "--company", "acme", str(path), stdout=out)
    assert Measurement.objects.count() == 9


@pytest.mark.django_db
def test_command_prints_every_problem_and_changes_nothing(world, kpis, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes("期間,UU,CVR\r\n2026-03-02,abc,2.0\r\n2026-03-09,10,140\r\n".encode())
    err = StringIO()
    with translation.override("en"), pytest.raises(CommandError):
        call_command("import_measurements", "--company", "acme", str(path), stderr=err)
    assert "row 2, column UU" in err.getvalue() and "row 3, column CVR" in err.getvalue()
    assert not Measurement.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db
def test_large_file_uses_copy_and_reimport_changes_nothing_on_postgresql(world, kpis):
    from datetime import date, timedelta

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    lines = ["kpi,period,value"]
    for week in range(3000):
        day = (date(2000, 1, 3) + timedelta(weeks=week)).isoformat()
        lines += [f"uu,{day},{week}", f"ad_spend,{day},{week * 10}"]
    data = ("\r\n".join(lines) + "\r\n").encode()
    first = commit_file(world, "big.csv", data)
    assert (first.status, first.new_count) == (ImportStatus.DONE, 6000)
    second = commit_file(world, "big.csv", data)
    assert (second.new_count, second.changed_count, second.unchanged_count) == (0, 0, 6000)

"""Spreadsheet-URL sources against a real local HTTP server (issue 21)."""
import io
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

import openpyxl
import pytest
from django.utils import translation

from metrics.models import ImportBatch, Measurement, MeasurementRevision
from metrics.sources.models import DataSource
from metrics.sources.services import SourceInvalid, due_key, source_create, source_run
from tests.metrics.factories import KpiFactory

pytestmark = pytest.mark.django_db
CSV = {"Content-Type": "text/csv"}


@pytest.fixture
def kpis(world, settings):
    settings.SOURCES_ALLOWED_HOSTS = ["127.0.0.1"]
    return {code: KpiFactory(company=world.company, code=code, name_en=code.title(),
                             name_ja=code, team=world.team, cadence="weekly")
            for code in ("revenue", "visits")}


def values(kpi):
    return {m.period_start: m.value for m in Measurement.objects.filter(kpi=kpi)}


def sheet_source(world, url, **extra):
    source, _secret = source_create(company=world.company, owner=world.user("admin"),
                                    name=extra.pop("name", "Sales sheet"), kind="url", url=url, **extra)
    return source


def test_a_mapped_csv_lands_and_the_same_data_again_changes_nothing(world, kpis, http_server):
    http_server.files["/sales.csv"] = (200, CSV, "Month,Sales (JPY),Visits\r\n"
                                       "2026-01-05,\"1,200\",30\r\n2026-01-12,1万,31\r\n".encode())
    source = sheet_source(world, http_server.base + "/sales.csv",
                          mapping={"Month": "period", "Sales (JPY)": "revenue"})
    run = source_run(source=source, key="now:1")
    assert (run.status, run.error, run.new_count) == ("done", "", 4)
    assert values(kpis["revenue"]) == {date(2026, 1, 5): Decimal("1200"),
                                       date(2026, 1, 12): Decimal("10000")}
    assert values(kpis["visits"])[date(2026, 1, 12)] == Decimal("31")
    assert run.batch.status == "done" and run.batch.new_count == 4
    revisions = MeasurementRevision.objects.count()

    again = source_run(source=source, key="now:2")
    assert (again.status, again.new_count, again.changed_count, again.unchanged_count) == (
        "done", 0, 0, 4)
    assert MeasurementRevision.objects.count() == revisions


def test_a_changed_source_value_lands_as_a_revision(world, kpis, http_server):
    url = http_server.base + "/long.csv"
    http_server.files["/long.csv"] = (200, CSV, b"kpi,period,value\r\nrevenue,2026-01-05,100\r\n")
    source = sheet_source(world, url)
    assert source_run(source=source, key="at:1").new_count == 1
    http_server.files["/long.csv"] = (200, CSV, b"kpi,period,value\r\nrevenue,2026-01-05,150\r\n")
    before = MeasurementRevision.objects.count()
    run = source_run(source=source, key="at:2")
    assert (run.changed_count, run.unchanged_count) == (1, 0)
    assert values(kpis["revenue"]) == {date(2026, 1, 5): Decimal("150")}
    assert MeasurementRevision.objects.count() == before + 1


def test_an_xlsx_in_the_wide_layout_lands(world, kpis, http_server):
    book = openpyxl.Workbook()
    book.active.append(["period", "revenue"])
    book.active.append([date(2026, 1, 5), 500])
    data = io.BytesIO()
    book.save(data)
    http_server.files["/book"] = (200, {"Content-Type": "application/vnd.openxmlformats-"
                                        "officedocument.spreadsheetml.sheet"}, data.getvalue())
    run = source_run(source=sheet_source(world, http_server.base + "/book"), key="now:x")
    assert (run.status, run.error) == ("done", "")
    assert values(kpis["revenue"]) == {date(2026, 1, 5): Decimal("500")}


def test_an_unmapped_column_fails_the_run_writes_nothing_and_names_it(world, kpis, http_server):
    http_server.files["/s.csv"] = (200, CSV, b"period,revenue,Trial starts GA\r\n2026-01-05,1,2\r\n")
    run = source_run(source=sheet_source(world, http_server.base + "/s.csv"), key="now:1")
    assert run.status == "failed"
    assert "Trial starts GA" in run.error
    assert run.unmapped == ["Trial starts GA"]
    assert not Measurement.objects.filter(kpi__company=world.company).exists()
    assert run.batch.status == "invalid"


@pytest.mark.parametrize("status, body", [(500, b"oops"), (200, b"\x00\x01binary\x02")])
def test_a_bad_answer_or_a_bad_file_fails_and_writes_nothing(world, kpis, http_server, status,
                                                              body):
    http_server.files["/bad.csv"] = (status, CSV, body)
    run = source_run(source=sheet_source(world, http_server.base + "/bad.csv"), key="now:1")
    assert run.status == "failed" and run.error
    assert not Measurement.objects.filter(kpi__company=world.company).exists()


def test_private_addresses_are_refused_unless_allowed(world, kpis, http_server, settings):
    http_server.files["/s.csv"] = (200, CSV, b"kpi,period,value\r\nrevenue,2026-01-05,1\r\n")
    source = sheet_source(world, http_server.base + "/s.csv")  # allowed when it was saved
    settings.SOURCES_ALLOWED_HOSTS = []
    run = source_run(source=source, key="now:1")
    assert run.status == "failed" and "プライベートネットワーク" in run.error  # the company speaks ja
    assert http_server.hits == []


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/s.csv", "https://[::1]/s.csv",
                                 "http://localhost/s.csv", "http://10.1.2.3/s.csv",
                                 "http://169.254.169.254/latest/meta-data"])
def test_a_private_address_is_refused_when_saved(world, settings, url):
    settings.SOURCES_ALLOWED_HOSTS = []
    before = DataSource.objects.filter(company=world.company).count()
    with translation.override("en"), pytest.raises(SourceInvalid) as refused:
        sheet_source(world, url, name="Inside")
    assert "private network" in refused.value.errors["url"]
    assert DataSource.objects.filter(company=world.company).count() == before
    settings.SOURCES_ALLOWED_HOSTS = [urlsplit(url).hostname]  # an administrator allowed it
    assert sheet_source(world, url, name="Inside").url == url


def test_every_redirect_is_checked(world, kpis, http_server):
    # 127.0.0.1 is allowed; "localhost" resolves to loopback too but is not.
    target = f"http://localhost:{http_server.port}/s.csv"
    http_server.files["/go"] = (302, {"Location": target}, b"")
    http_server.files["/s.csv"] = (200, CSV, b"kpi,period,value\r\nrevenue,2026-01-05,1\r\n")
    run = source_run(source=sheet_source(world, http_server.base + "/go"), key="now:1")
    assert run.status == "failed" and "localhost" in run.error
    assert http_server.hits == ["/go"]
    http_server.files["/go2"] = (302, {"Location": "/s.csv"}, b"")
    run = source_run(source=sheet_source(world, http_server.base + "/go2", name="B"), key="n:2")
    assert run.status == "done" and http_server.hits[-1] == "/s.csv"


def test_a_key_runs_once(world, kpis, http_server):
    http_server.files["/s.csv"] = (200, CSV, b"kpi,period,value\r\nrevenue,2026-01-05,1\r\n")
    source = sheet_source(world, http_server.base + "/s.csv")
    first = source_run(source=source, key="at:2026-12-03T14:00")
    second = source_run(source=source, key="at:2026-12-03T14:00")
    assert first.pk == second.pk
    assert http_server.hits == ["/s.csv"]
    assert ImportBatch.objects.filter(source_run__source=source).count() == 1


def test_due_slots_follow_the_schedule(world, kpis, settings):
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    settings.TIME_ZONE = "Asia/Tokyo"
    tokyo = ZoneInfo("Asia/Tokyo")
    now = datetime(2026, 12, 3, 14, 25, tzinfo=tokyo)  # a Thursday
    hourly = sheet_source(world, "https://example.com/a.csv", name="h", schedule="hourly")
    daily = sheet_source(world, "https://example.com/a.csv", name="d", schedule="daily",
                         at=time(15, 0))
    weekly = sheet_source(world, "https://example.com/a.csv", name="w", schedule="weekly",
                          at=time(9, 0), weekday=0)
    manual = sheet_source(world, "https://example.com/a.csv", name="m")
    assert due_key(hourly, now) == "at:2026-12-03T14:00"
    assert due_key(daily, now) == "at:2026-12-02T15:00"
    assert due_key(weekly, now) == "at:2026-11-30T09:00"
    assert due_key(manual, now) is None


def test_the_due_task_runs_each_slot_once(world, kpis, http_server, celery_eager,
                                          django_capture_on_commit_callbacks):
    from metrics.sources.models import SourceRun
    from metrics.sources.tasks import sources_run_due

    http_server.files["/s.csv"] = (200, CSV, b"kpi,period,value\r\nrevenue,2026-01-05,3\r\n")
    source = sheet_source(world, http_server.base + "/s.csv", schedule="hourly")
    sheet_source(world, http_server.base + "/s.csv", name="By hand")  # manual: never due
    with django_capture_on_commit_callbacks(execute=True) as queued:
        sources_run_due()
    assert len(queued) == 1
    with django_capture_on_commit_callbacks(execute=True) as queued:
        sources_run_due()  # the hour's slot has its run now
    assert queued == []
    assert SourceRun.objects.filter(source=source, status="done").count() == 1
    assert http_server.hits == ["/s.csv"]
    assert values(kpis["revenue"]) == {date(2026, 1, 5): Decimal("3")}


def test_the_preview_lists_what_a_run_would_change_and_writes_nothing(world, kpis, http_server,
                                                                      client):
    from django.urls import reverse

    from metrics.sources.models import SourceRun

    url = http_server.base + "/long.csv"
    http_server.files["/long.csv"] = (200, CSV, b"kpi,period,value\r\nrevenue,2026-01-05,100\r\n"
                                                b"visits,2026-01-05,7\r\n")
    source = sheet_source(world, url)
    assert source_run(source=source, key="at:1").new_count == 2
    http_server.files["/long.csv"] = (200, CSV, b"kpi,period,value\r\nrevenue,2026-01-05,150\r\n"
                                                b"visits,2026-01-05,7\r\nrevenue,2026-01-12,9\r\n")
    before = (sorted(Measurement.objects.values_list("kpi__code", "period_start", "value")),
              SourceRun.objects.count(), ImportBatch.objects.count())
    client.force_login(world.user("manager"))
    page = client.post(reverse("source-preview", args=[world.company.slug, source.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    counts = [html.split(f'data-testid="count-{c}">')[1].split("<")[0]
              for c in ("new", "changed", "unchanged")]
    assert counts == ["1", "1", "1"]
    table = html.split('data-testid="diff"')[1].split("</table>")[0]
    assert "2026-01-05" in table and "100" in table and "150" in table and "2026-01-12" in table
    assert (sorted(Measurement.objects.values_list("kpi__code", "period_start", "value")),
            SourceRun.objects.count(), ImportBatch.objects.count()) == before

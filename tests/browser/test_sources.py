"""A manager adds a spreadsheet-URL source, maps two columns, runs it, reads the diff, and sees
the source fresh on the data-quality panel (issue 21). The spreadsheet is served by a real
local HTTP server, allowed through SOURCES_ALLOWED_HOSTS."""
import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from metrics.models import Kpi, Measurement
from teams.models import Company
from tests.csv_server import CsvServer

SHOTS = os.environ.get("SCREENSHOT_DIR")


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def sheet_server():
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    weeks = [monday - timedelta(weeks=2), monday - timedelta(weeks=1)]
    body = ("週,EC sales (JPY),EC visitors\r\n" + "".join(
        f"{w:%Y-%m-%d},\"{1200 + i * 100:,}\",{300 + i}\r\n" for i, w in enumerate(weeks))
    ).encode()

    server = CsvServer(body)
    yield server.url, weeks
    server.close()


def test_manager_adds_a_sheet_maps_two_columns_runs_it_and_sees_it_fresh(
        demo, login, live_server, settings, celery_eager, sheet_server):
    settings.SOURCES_ALLOWED_HOSTS = ["127.0.0.1"]
    url, weeks = sheet_server
    company = Company.objects.get(slug="demo")
    sales = Kpi.objects.create(company=company, code="web_sales", name_ja="ウェブ売上",
                               name_en="Web sales", unit="JPY", cadence="weekly")
    visits = Kpi.objects.create(company=company, code="web_visits", name_ja="ウェブ訪問数",
                                name_en="Web visits", unit="count", cadence="weekly")

    page = login("demo-manager")
    page.goto(f"{live_server.url}/demo/sources/")
    page.fill("input[name=name]", "ウェブ実績シート")
    page.select_option("select[name=kind]", "url")
    page.fill("input[name=url]", url)
    page.get_by_role("button", name="追加", exact=True).click()
    row = page.locator("tr", has_text="ウェブ実績シート")
    expect(row).to_contain_text("未実行")

    # The first run does not know the two columns: it writes nothing and asks for a mapping.
    row.get_by_role("button", name="今すぐ実行").click()
    row = page.locator("tr", has_text="ウェブ実績シート")
    expect(row.locator(".badge-bad")).to_be_visible()
    form = row.get_by_test_id("mapping-form")
    form.locator("select[data-name='EC sales (JPY)']").select_option("web_sales")
    form.locator("select[data-name='EC visitors']").select_option("web_visits")
    _shot(page, "sources-mapping")
    form.get_by_role("button", name="対応づけを保存").click()
    assert not Measurement.objects.filter(kpi__in=[sales, visits]).exists()

    row = page.locator("tr", has_text="ウェブ実績シート")
    row.get_by_role("button", name="今すぐ実行").click()
    row = page.locator("tr", has_text="ウェブ実績シート")
    expect(row.locator(".badge-good")).to_be_visible()
    expect(row).to_contain_text("新規 4 件")
    _shot(page, "sources")

    # The run's diff: each cell, new, with its value.
    row.get_by_test_id("run-changes").click()
    diff = page.get_by_test_id("diff")
    expect(diff.locator("tbody tr")).to_have_count(4)
    expect(diff).to_contain_text("ウェブ売上")
    expect(diff).to_contain_text("1,300")
    expect(diff).to_contain_text(f"{weeks[1]:%Y-%m-%d}")
    _shot(page, "source-run-diff")

    # The data-quality panel: the source is fresh, and feeds its two KPIs.
    page.goto(f"{live_server.url}/demo/numbers/quality/")
    source_row = page.locator("#sources-health tr", has_text="ウェブ実績シート")
    expect(source_row.get_by_test_id("source-freshness")).to_contain_text("最新")
    kpi_row = page.locator("tr", has_text="ウェブ売上")
    expect(kpi_row).to_contain_text("ウェブ実績シート")
    _shot(page, "data-quality-sources")
    assert Measurement.objects.get(kpi=sales, period_start=weeks[1]).value == 1300
    if SHOTS:  # the two pages on a phone, and in English
        page.set_viewport_size({"width": 390, "height": 844})
        for name, path in (("sources", "sources/"), ("data-quality", "numbers/quality/")):
            page.goto(f"{live_server.url}/demo/{path}")
            _shot(page, f"{name}-390")
        page.set_viewport_size({"width": 1366, "height": 900})
        page.context.add_cookies([{"name": "kgi_language", "value": "en",
                                   "url": live_server.url}])
        page.goto(f"{live_server.url}/demo/sources/")
        _shot(page, "sources-en")

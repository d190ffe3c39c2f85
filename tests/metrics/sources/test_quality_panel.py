"""The data-quality panel per KPI and per source: last run, last success, freshness, reasons."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from metrics.quality import revisions_this_month
from metrics.sources.health import health_by_kpi, sources_health
from metrics.sources.models import SourceRun
from metrics.sources.services import source_create, source_run
from tests.metrics.factories import KpiFactory

pytestmark = pytest.mark.django_db
CSV = {"Content-Type": "text/csv"}


@pytest.fixture
def setup(world, settings, http_server):
    settings.SOURCES_ALLOWED_HOSTS = ["127.0.0.1"]
    kpis = {code: KpiFactory(company=world.company, code=code, team=world.team,
                             cadence="weekly", name_en=code.title(), name_ja=code)
            for code in ("revenue", "visits")}
    http_server.files["/s.csv"] = (200, CSV, b"Week,Sales\r\n2026-01-05,100\r\n")
    source, _secret = source_create(company=world.company, owner=world.user("manager"),
                                    name="Sales sheet", kind="url", schedule="daily",
                                    at=timezone.localtime().time().replace(microsecond=0),
                                    url=http_server.base + "/s.csv",
                                    mapping={"Week": "period", "Sales": "revenue"})
    return kpis, source


def health_of(world, source):
    return next(h for h in sources_health(world.company) if h.source == source)


def page(client, world):
    client.force_login(world.user("viewer") if "viewer" in world.users else world.user("member"))
    return client.get(reverse("data-quality", args=[world.company.slug]),
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_a_good_run_is_fresh_and_feeds_its_kpi_with_its_unmapped_names(world, setup, client,
                                                                       http_server):
    kpis, source = setup
    run = source_run(source=source, key="at:1")
    assert run.status == "done", run.error
    health = health_of(world, source)
    assert (health.stale, health.last_run, health.last_success) == (False, run, run)
    assert [h.source for h in health_by_kpi(world.company, [health])[kpis["revenue"].pk]] == [
        source]
    html = page(client, world)
    row = html.split(f'data-source="{source.pk}"')[1].split("</tr>")[0]
    assert "Sales sheet" in row and "fresh" in row and "stale" not in row


def test_a_failed_run_shows_stale_with_its_reason_and_the_last_success(world, setup, client,
                                                                      http_server):
    kpis, source = setup
    good = source_run(source=source, key="at:1")
    http_server.files["/s.csv"] = (200, CSV, b"Week,Sales,Other\r\n2026-01-05,120,1\r\n")
    bad = source_run(source=source, key="at:2")
    assert bad.status == "failed" and bad.unmapped == ["Other"]
    health = health_of(world, source)
    assert health.stale and health.last_success == good and health.last_run == bad
    assert bad.error.splitlines()[0] in health.reason
    html = page(client, world)
    row = html.split(f'data-source="{source.pk}"')[1].split("</tr>")[0]
    assert bad.error.splitlines()[0] in row and "Other" in row
    # The KPI the source feeds is stale on its own row, with the reason.
    row = next(r for r in html.split("<tr>") if '<small class="muted">revenue</small>' in r)
    assert "Sales sheet" in row and bad.error.splitlines()[0] in row


def test_a_source_missing_its_slots_is_stale(world, setup):
    _kpis, source = setup
    run = source_run(source=source, key="at:1")
    SourceRun.objects.filter(pk=run.pk).update(finished_at=timezone.now() - timedelta(days=3))
    with translation.override("en"):
        health = health_of(world, source)
    assert health.stale and "No successful run since" in health.reason


def test_corrections_this_month_are_counted_per_kpi(world, setup, http_server):
    kpis, source = setup
    source_run(source=source, key="at:1")
    http_server.files["/s.csv"] = (200, CSV, b"Week,Sales\r\n2026-01-05,120\r\n")
    source_run(source=source, key="at:2")
    assert revisions_this_month(world.company) == {kpis["revenue"].pk: 1}

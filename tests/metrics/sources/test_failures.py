"""A failed run writes nothing, keeps its error, alerts the source's owner through the outbox."""
from datetime import timedelta

import pytest
from django.utils import timezone

from metrics.models import Measurement
from metrics.sources.services import source_create, source_run
from notifications.due import notifications_due
from notifications.models import Channel, Kind, Notification
from tests.metrics.factories import KpiFactory

pytestmark = pytest.mark.django_db
CSV = {"Content-Type": "text/csv"}


@pytest.fixture
def source(world, settings, http_server):
    settings.SOURCES_ALLOWED_HOSTS = ["127.0.0.1"]
    KpiFactory(company=world.company, code="revenue", team=world.team, cadence="weekly")
    http_server.files["/s.csv"] = (200, CSV, b"kpi,period,value\r\nrevenue,2026-01-05,100\r\n")
    made, _secret = source_create(company=world.company, owner=world.user("manager"),
                                  name="Sales sheet", kind="url", url=http_server.base + "/s.csv")
    return made


def alerts():
    return list(Notification.objects.filter(kind=Kind.SOURCE_FAILED, channel=Channel.IN_APP)
                .values_list("recipient__username", "object_key", "period_key"))


def test_a_failed_run_keeps_its_error_and_alerts_the_owner_once_a_day(world, source,
                                                                      http_server):
    assert source_run(source=source, key="at:1").status == "done"
    before = list(Measurement.objects.values_list("period_start", "value"))
    http_server.files["/s.csv"] = (200, CSV, b"kpi,period,value\r\nrevenue,2026-01-05,abc\r\n")
    run = source_run(source=source, key="at:2")
    assert run.status == "failed" and run.error.startswith("2 value: "), run.error
    assert list(Measurement.objects.values_list("period_start", "value")) == before
    now = timezone.now()
    notifications_due(now, companies=[world.company])
    today = timezone.localtime(now, world.company.tzinfo).date().isoformat()
    assert alerts() == [("acme-manager", f"source:{source.pk}", today)]
    body = Notification.objects.get(kind=Kind.SOURCE_FAILED, channel=Channel.IN_APP).body
    assert "Sales sheet" in body and run.error.splitlines()[0] in body
    notifications_due(now + timedelta(minutes=5), companies=[world.company])
    assert len(alerts()) == 1  # queued once, however often the tick runs


def test_no_alert_once_the_source_ran_well_again(world, source, http_server):
    http_server.files["/s.csv"] = (500, CSV, b"oops")
    assert source_run(source=source, key="at:1").status == "failed"
    http_server.files["/s.csv"] = (200, CSV, b"kpi,period,value\r\nrevenue,2026-01-05,100\r\n")
    assert source_run(source=source, key="at:2").status == "done"
    notifications_due(timezone.now(), companies=[world.company])
    assert alerts() == []

"""ID mapping: unknown names after a run, suggestions by name, mapping them, the run lands."""
import pytest
from django.urls import reverse

from metrics.models import Measurement
from metrics.sources.mapping import MappingInvalid, source_map, suggestions
from metrics.sources.services import source_create, source_run
from tests.metrics.factories import KpiFactory

pytestmark = pytest.mark.django_db
CSV = {"Content-Type": "text/csv"}


@pytest.fixture
def kpis(world, settings):
    settings.SOURCES_ALLOWED_HOSTS = ["127.0.0.1"]
    return [KpiFactory(company=world.company, code="revenue", name_en="Revenue", name_ja="売上",
                       team=world.team, cadence="weekly"),
            KpiFactory(company=world.company, code="visits", name_en="Site visits",
                       name_ja="訪問数", team=world.team, cadence="weekly")]


def test_suggestions_by_name(world, kpis):
    assert suggestions(world.company, ["Revenue (JPY)", "Visitors", "売上高", "Zebra count"]) == {
        "Revenue (JPY)": "revenue", "Visitors": "visits", "売上高": "revenue",
        "Zebra count": None}


def test_unknown_names_are_listed_mapped_from_the_page_and_the_run_then_lands(
        world, kpis, http_server, client):
    http_server.files["/s.csv"] = (200, CSV, b"Week,Sales total,Visitors\r\n"
                                              b"2026-01-05,100,7\r\n")
    source, _secret = source_create(company=world.company, owner=world.user("manager"),
                                    name="Traffic sheet", kind="url", url=http_server.base + "/s.csv")
    run = source_run(source=source, key="now:1")
    assert run.status == "failed" and run.unmapped == ["Sales total", "Visitors"]
    assert not Measurement.objects.filter(kpi__in=kpis).exists()
    client.force_login(world.user("manager"))
    page = client.get(reverse("source-list", args=[world.company.slug])).content.decode()
    form = page.split('data-testid="mapping-form"')[1].split("</form>")[0]
    assert 'data-name="Visitors"' in form and 'value="visits" selected' in form
    client.post(reverse("source-mapping", args=[world.company.slug, source.pk]),
                {"name": ["Sales total", "Visitors"], "target": ["revenue", "visits"]})
    source.refresh_from_db()
    assert source.mapping == {"Sales total": "revenue", "Visitors": "visits"}
    again = source_run(source=source, key="now:2")
    assert (again.status, again.new_count, again.unmapped) == ("done", 2, [])


def test_a_mapping_to_an_unknown_code_is_refused(world, kpis):
    source, _secret = source_create(company=world.company, owner=world.user("manager"),
                                    name="Traffic sheet", kind="url", url="https://example.com/s.csv")
    with pytest.raises(MappingInvalid, match="nope"):
        source_map(source=source, pairs={"Sales": "nope", "Visits": "visits"})
    source.refresh_from_db()
    assert source.mapping == {}

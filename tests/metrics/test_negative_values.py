"""A negative ad spend is a typo: refused with one clear message by the grid, the import and
the API (all through the one writer's validation) unless the KPI says it can be negative."""
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from metrics.imports import import_analyze, import_batch_create, import_commit
from metrics.measurements import Entry, MeasurementError, measurements_bulk_upsert
from metrics.models import ImportStatus, Measurement
from teams.services import api_token_create
from tests.metrics.factories import small_tree

pytestmark = pytest.mark.django_db
WORDS = "below zero"


@pytest.fixture
def kpis(world):
    return small_tree(world.company, world.team)


def test_the_writer_refuses_a_negative_yen_value(world, kpis):
    with translation.override("en"), pytest.raises(MeasurementError) as refused:
        measurements_bulk_upsert(company=world.company, entries=[
            Entry(kpis["ad_spend"], date(2026, 3, 2), Decimal(-3000))])
    assert WORDS in refused.value.errors[0].message
    assert not Measurement.objects.exists()


def test_a_kpi_marked_can_be_negative_takes_a_loss(world, kpis):
    kpi = kpis["ad_spend"]
    kpi.allows_negative = True
    kpi.save()
    result = measurements_bulk_upsert(company=world.company, entries=[
        Entry(kpi, date(2026, 3, 2), Decimal(-3000))])
    assert result.new == 1


def test_the_grid_refuses_it_with_the_message(client, world, kpis):
    client.force_login(world.user("member"))
    client.cookies["kgi_language"] = "en"
    response = client.post(reverse("numbers-cell", kwargs={
        "company": world.company.slug, "team": world.team.slug}),
        {"kpi": kpis["ad_spend"].pk, "period": "2026-03-02", "value": "-3,000"},
        headers={"HX-Request": "true"})
    assert response.status_code < 500
    assert WORDS in response.content.decode()
    assert not Measurement.objects.exists()


def test_the_import_refuses_it_naming_row_and_column(world, kpis):
    data = "期間,広告費\r\n2026-03-02,-3000\r\n".encode()
    with translation.override("en"):
        batch = import_batch_create(company=world.company, user=world.user("member"),
                                    filename="ads.csv", data=data)
        import_analyze(batch=batch)
        batch = import_commit(batch_id=batch.pk)
    assert batch.status == ImportStatus.INVALID
    problem = next(p for p in batch.problems if p["code"] == "negative_value")
    assert problem["row"] == 2 and WORDS in problem["message"]
    assert not Measurement.objects.exists()


def test_the_api_refuses_it(client, world, kpis):
    _token, raw = api_token_create(company=world.company, user=world.user("member"), name="m")
    response = client.post(
        reverse("api:api-measurements-upsert", kwargs={"company": world.company.slug}),
        {"items": [{"kpi": "ad_spend", "period": "2026-03-02", "value": -3000}]},
        content_type="application/json", headers={"Authorization": f"Bearer {raw}",
                                                  "Accept-Language": "en"})
    assert response.status_code == 422
    message = response.json()["errors"][0]["message"]
    assert message.startswith("-3000 ") and ("below zero" in message or "マイナス" in message)
    assert not Measurement.objects.exists()

"""Numbers and periods out of range are refused with the cell named: never a 500, never a
batch left working."""
from datetime import date

import pytest
from django.urls import reverse

from metrics.imports import import_analyze, import_batch_create, import_commit
from metrics.measurements import Entry, MeasurementError, measurements_bulk_upsert
from metrics.models import ImportStatus, Measurement
from teams.models import Role
from teams.services import api_token_create
from tests.metrics.factories import small_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def kpis(world):
    return small_tree(world.company, world.team)


def _import(world, text):
    batch = import_batch_create(company=world.company, user=world.user(Role.ADMIN),
                                filename="n.csv", data=text.encode(), language="en")
    batch = import_analyze(batch=batch)
    if batch.status == ImportStatus.READY:
        batch = import_commit(batch_id=batch.pk)
    return batch


@pytest.mark.parametrize("value", ["1e309", "1E+400", "-1e309", "99999999999999999",
                                   "12345678901234567890.5"])
def test_an_import_with_a_huge_number_is_refused_with_the_cell_named(world, kpis, value):
    batch = _import(world, f"期間,UU\r\n2026-03-02,{value}\r\n")
    assert batch.status == ImportStatus.INVALID, batch.problems
    assert [(p["row"], p["column"]) for p in batch.problems] == [(2, "UU")]
    assert not Measurement.objects.exists()


def test_a_computed_kpi_overflowing_the_column_is_refused_naming_it(world, kpis):
    # paid_uu = ad_spend / cpc: 1,000,000,000,000 / 0.0001 = 1e16, beyond numeric(20,4).
    batch = _import(world, "期間,広告費,クリック単価\r\n2026-03-02,1000000000000,0.0001\r\n")
    assert batch.status == ImportStatus.INVALID, batch.problems
    assert "paid_uu" in batch.problems[0]["message"]
    assert "2026-03-02" in batch.problems[0]["message"]
    assert not Measurement.objects.exists()


def test_the_service_refuses_an_overflowing_computed_value_all_or_nothing(world, kpis):
    entries = [Entry(kpis["ad_spend"], date(2026, 3, 2), 10 ** 12, "a"),
               Entry(kpis["cpc"], date(2026, 3, 2), "0.0001", "b")]
    with pytest.raises(MeasurementError) as refused:
        measurements_bulk_upsert(company=world.company, entries=entries)
    assert refused.value.errors[0].kpi_code == "paid_uu"
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("period", ["0001-01-01", "1999-12-27", "2101-01-03", "9999-12-31"])
def test_an_import_period_outside_2000_to_2100_is_refused(world, kpis, period):
    batch = _import(world, f"期間,UU\r\n{period},5\r\n")
    assert batch.status == ImportStatus.INVALID, batch.problems
    assert batch.problems[0]["row"] == 2
    assert not Measurement.objects.exists()


def _api(client, world, items):
    _token, raw = api_token_create(company=world.company, user=world.user(Role.ADMIN), name="t")
    return client.post(reverse("api:api-measurements-upsert", kwargs={"company": "acme"}),
                       {"items": items}, content_type="application/json",
                       headers={"Authorization": f"Bearer {raw}"})


@pytest.mark.parametrize("period", ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01"])
def test_the_api_refuses_a_period_outside_2000_to_2100(client, world, kpis, period):
    response = _api(client, world, [{"kpi": "uu", "period": period, "value": 5}])
    assert response.status_code == 422
    assert response.json()["errors"][0]["index"] == 0
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("value", ["1e309", "1E+400", "NaN", "Infinity", "1e20"])
def test_the_api_refuses_huge_or_non_finite_values(client, world, kpis, value):
    response = _api(client, world, [{"kpi": "uu", "period": "2026-03-02", "value": value}])
    assert response.status_code == 422
    assert response.json()["errors"][0]["index"] == 0
    assert not Measurement.objects.exists()


def test_the_api_answers_4xx_for_a_nul_in_a_kpi_code(client, world, kpis):
    response = _api(client, world, [{"kpi": "u\x00u", "period": "2026-03-02", "value": 1}])
    assert 400 <= response.status_code < 500
    _token, raw = api_token_create(company=world.company, user=world.user(Role.ADMIN), name="r")
    listing = client.get("/api/v1/acme/kpis/u%00u/measurements",
                         headers={"Authorization": f"Bearer {raw}"})
    assert 400 <= listing.status_code < 500


@pytest.mark.parametrize(("period", "value"), [("2026-03-02", "1e309"),
                                               ("2026-03-02", "1E+400"),
                                               ("2026-03-02", "99999999999999999"),
                                               ("0001-01-01", "5"), ("9999-12-31", "5")])
def test_the_grid_refuses_in_the_cell_never_a_500(client, world, kpis, period, value):
    client.force_login(world.user(Role.MEMBER))
    response = client.post(reverse("numbers-cell", kwargs={"company": "acme", "team": "sales"}),
                           {"kpi": kpis["uu"].pk, "period": period, "value": value},
                           headers={"HX-Request": "true"})
    assert response.status_code in (200, 404)  # 404: no such period in any grid
    if response.status_code == 200:
        assert 'class="cell-msg" role="alert"' in response.content.decode()
    assert not Measurement.objects.exists()

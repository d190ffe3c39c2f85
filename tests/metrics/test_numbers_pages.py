"""The grid saves cells in place, export escapes formulas, the API upserts all or nothing."""
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from metrics.measurements import Entry, measurements_bulk_upsert
from metrics.models import Campaign, Measurement
from teams.services import api_token_create
from tests.metrics.factories import small_tree


@pytest.fixture
def kpis(world):
    return small_tree(world.company, world.team)


def this_monday():
    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


def post_cell(client, kpi, value, period=None):
    return client.post(reverse("numbers-cell", args=["acme", "sales"]),
                       {"kpi": kpi.pk, "period": (period or this_monday()).isoformat(),
                        "value": value}, headers={"HX-Request": "true"})


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "code", "stored"), [
    ("1,234", "uu", Decimal(1234)), ("１２３４", "uu", Decimal(1234)),
    ("12.5%", "cvr", Decimal("12.5")), ("8,300万", "aov", Decimal(83_000_000)),
])
def test_grid_cell_understands_how_people_write_numbers(client, world, kpis, typed, code, stored):
    client.force_login(world.user("member"))
    response = post_cell(client, kpis[code], typed)
    assert response.status_code == 200 and "cell-saved" in response.content.decode()
    assert Measurement.objects.get(kpi=kpis[code]).value == stored


@pytest.mark.django_db
def test_grid_cell_shows_the_error_in_place_and_saves_nothing(client, world, kpis):
    client.force_login(world.user("member"))
    response = post_cell(client, kpis["cvr"], "140")
    html = response.content.decode()
    assert response.status_code == 200 and 'role="alert"' in html and 'value="140"' in html
    assert not Measurement.objects.exists()


@pytest.mark.django_db
def test_computed_cell_is_read_only_and_refuses_a_post(client, world, kpis):
    client.force_login(world.user("member"))
    html = client.get(reverse("numbers-grid", args=["acme", "sales"])).content.decode()
    from metrics.models import Kpi

    typed = Kpi.objects.filter(team=world.team, cadence="weekly", formula="").count()
    assert html.count('name="value"') == typed * 8  # every typed weekly KPI × 8 periods
    assert "= ad_spend / cpc" in html
    post_cell(client, kpis["paid_uu"], "5")
    assert not Measurement.objects.exists()


@pytest.mark.django_db
def test_corrected_cell_shows_the_previous_value_on_hover(client, world, kpis):
    client.force_login(world.user("member"))
    post_cell(client, kpis["uu"], "1000")
    html = post_cell(client, kpis["uu"], "1200").content.decode()
    assert "cell-corrected" in html and "1,000" in html


@pytest.mark.django_db
def test_grid_query_count_is_pinned(client, world, kpis, django_assert_max_num_queries):
    monday = this_monday()
    measurements_bulk_upsert(company=world.company, entries=[
        Entry(kpis["uu"], monday - timedelta(weeks=n), Decimal(100 + n)) for n in range(8)])
    client.force_login(world.user("member"))
    with django_assert_max_num_queries(12):
        client.get(reverse("numbers-grid", args=["acme", "sales"]))


@pytest.mark.django_db
def test_viewer_sees_the_grid_without_inputs(client, world, kpis):
    client.force_login(world.user("viewer"))
    html = client.get(reverse("numbers-grid", args=["acme", "sales"])).content.decode()
    assert 'name="value"' not in html


@pytest.mark.django_db
def test_export_csv_has_bom_and_escapes_formulas(client, world, kpis):
    kpis["uu"].name_ja = "=HYPERLINK(\"x\")"
    kpis["uu"].save()
    measurements_bulk_upsert(company=world.company,
                             entries=[Entry(kpis["uu"], date(2026, 3, 2), Decimal(5))])
    client.force_login(world.user("viewer"))
    url = reverse("measurement-export", args=["acme"])
    body = client.get(url, {"kpi": "uu", "from": "2026-01-01", "to": "2026-12-31"}).content
    assert body.startswith(b"\xef\xbb\xbf")
    assert "'=HYPERLINK" in body.decode("utf-8-sig")
    xlsx = client.get(url, {"kpi": "uu", "format": "xlsx"}).content
    sheet = openpyxl.load_workbook(__import__("io").BytesIO(xlsx)).active
    assert sheet["B2"].value.startswith("'=") and sheet["D2"].value == 5


@pytest.mark.django_db
def test_api_upsert_is_idempotent_and_all_or_nothing(client, world, kpis):
    _token, raw = api_token_create(company=world.company, user=world.user("member"), name="t")
    auth = {"Authorization": f"Bearer {raw}"}
    url = reverse("api:api-measurements-upsert", kwargs={"company": "acme"})
    good = {"items": [{"kpi": "uu", "period": "2026-03-04", "value": 10},
                      {"kpi": "cvr", "period": "2026-03-02", "value": "2.5%"}]}
    first = client.post(url, good, content_type="application/json", headers=auth).json()
    again = client.post(url, good, content_type="application/json", headers=auth).json()
    assert (first["new"], again["unchanged"]) == (2, 2)
    bad = {"items": [{"kpi": "uu", "period": "2026-03-09", "value": 1},
                     {"kpi": "nrr", "period": "2026-03-09", "value": 1},
                     {"kpi": "paid_uu", "period": "2026-03-09", "value": 1}]}
    response = client.post(url, bad, content_type="application/json", headers=auth)
    assert response.status_code == 422
    assert [e["index"] for e in response.json()["errors"]] == [1]
    assert Measurement.objects.count() == 2
    listing = client.get(reverse("api:api-kpi-measurements",
                                 kwargs={"company": "acme", "code": "uu"}),
                         {"from": "2026-03-01", "to": "2026-03-31"}, headers=auth).json()
    assert listing == [{"period": "2026-03-02", "value": "10.0000", "source": "api"}]


@pytest.mark.django_db
def test_campaign_form_refuses_another_companys_kpi(client, world, kpis):
    foreign = small_tree(world.other)["uu"]
    client.force_login(world.user("manager"))
    response = client.post(reverse("campaign-create", args=["acme"]), {
        "name": "Sale", "start": "2026-03-02", "end": "2026-03-08", "kpis": [foreign.pk]})
    assert response.status_code == 200 and not Campaign.objects.filter(name="Sale",
                                                                       kpis=foreign).exists()


@pytest.mark.django_db
def test_data_quality_flags_stale_kpis_and_missing_sources(client, world, kpis):
    kpis["cpc"].data_source = ""
    kpis["cpc"].save()
    last_week = this_monday() - timedelta(weeks=1)
    measurements_bulk_upsert(company=world.company,
                             entries=[Entry(kpis["uu"], last_week, Decimal(1))])
    from metrics.quality import data_quality_rows

    rows = {r["kpi"].code: r for r in data_quality_rows(world.company)}
    assert not rows["uu"]["stale"] and rows["cvr"]["stale"] and rows["cpc"]["missing_source"]
    client.force_login(world.user("viewer"))
    assert client.get(reverse("data-quality", args=["acme"])).status_code == 200


@pytest.mark.django_db
def test_export_csv_writes_numbers_in_plain_notation(client, world, kpis):
    measurements_bulk_upsert(company=world.company, entries=[
        Entry(kpis["uu"], date(2026, 3, 2), Decimal("44460")),
        Entry(kpis["aov"], date(2026, 3, 2), Decimal("3450.5")),
    ])
    client.force_login(world.user("viewer"))
    body = client.get(reverse("measurement-export", args=["acme"]),
                      {"kpi": ["aov", "uu"]}).content.decode("utf-8-sig")
    values = [line.split(",")[3] for line in body.splitlines()[1:]]
    assert values == ["3450.5", "44460"]

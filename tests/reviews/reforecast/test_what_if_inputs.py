"""The what-if reads only what it needs: the snapshot's compact inputs, not its payload.

A snapshot stores its what-if inputs (leaves, correlation, formula tree) as one small
column and its forecasts in their own table; a what-if request reads that column and the
figures it compares with, and the report page reads neither. Snapshots stored before
(everything in the payload) still render and still answer a what-if, with the same figures.
"""
import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.analytics import OutlookUnavailable
from metrics.analytics.what_if import what_if_from_payload, what_if_unpack
from metrics.models import Kgi, KgiStatus, Kpi
from reviews.models import Reforecast, ReforecastForecasts, Scenario
from reviews.reforecast.services import scenario_evaluate
from tests.reviews.reforecast.test_reforecast_pages import (
    HX,
    _client,
    _month_url,
    _shown_probability,
)

MOVES = [{}, {"cvr": 10}, {"cvr": -30, "aov": 7.5}, {"uu": 30, "cvr": 3, "aov": -12}]


def _as_old_shape(row):
    """Store ``row`` as snapshots were stored before reviews/0005: one payload for all."""
    inputs = what_if_unpack(row.what_if_inputs)
    forecasts = ReforecastForecasts.objects.get(reforecast=row).forecasts
    codes, matrix = inputs.correlation
    payload = {**row.payload, "forecasts": forecasts,
               "correlation": {"codes": codes, "matrix": matrix.tolist()},
               "anomalies": [{k: v for k, v in a.items() if k != "cadence"}
                             for a in row.payload["anomalies"]]}
    ReforecastForecasts.objects.filter(reforecast=row).delete()
    Reforecast.objects.filter(pk=row.pk).update(payload=payload, what_if_inputs=None)
    return Reforecast.objects.get(pk=row.pk)


def _what_if(client, row, data):
    return client.post(_month_url("reforecast-what-if", row), data, headers=HX)


@pytest.mark.django_db
def test_the_compact_inputs_give_the_same_figures_as_the_old_payload(world, shop):
    row = shop["this"]
    compact = what_if_unpack(row.what_if_inputs)
    old = what_if_from_payload(shop["company"], _as_old_shape(row).payload)
    assert compact.specs == old.specs and compact.formulas == old.formulas
    for moves in MOVES:
        assert scenario_evaluate(reforecast=row, shifts_pct=moves, inputs=compact) \
            == scenario_evaluate(reforecast=row, shifts_pct=moves, inputs=old), moves
    baseline = scenario_evaluate(reforecast=row, shifts_pct={}, inputs=compact)
    assert baseline == (row.probability, row.p50)  # the snapshot's own figures, same seed


@pytest.mark.django_db
def test_an_old_shape_snapshot_renders_and_answers_the_what_if_as_before(world, shop):
    client, row = _client(world, "executive"), shop["this"]
    before = [_what_if(client, row, {f"shift-{k}": v for k, v in m.items()}).content
              for m in MOVES]
    report = client.get(_month_url("reforecast-detail", row)).content.decode()
    _as_old_shape(row)
    after = [_what_if(client, row, {f"shift-{k}": v for k, v in m.items()}).content
             for m in MOVES]
    assert after == before  # the same fragment, figure for figure
    page = client.get(_month_url("reforecast-detail", row))
    assert page.status_code == 200
    assert page.content.decode() == report.replace(  # only the CSRF token differs
        _csrf(report), _csrf(page.content.decode()))
    saved = client.post(_month_url("reforecast-scenario-save", row),
                        {"name": "Old row", "shift-cvr": "10"}, headers=HX)
    assert saved.status_code == 200 and b"Old row" in saved.content
    assert Scenario.objects.get(name="Old row").probability \
        == scenario_evaluate(reforecast=row, shifts_pct={"cvr": 10.0})[0]


def _csrf(page):
    marker = '"X-CSRFToken": "'
    start = page.index(marker) + len(marker)
    return page[start:page.index('"', start)]


@pytest.mark.django_db
def test_a_what_if_reads_its_inputs_and_never_the_payload(world, shop):
    client, row = _client(world, "viewer"), shop["this"]
    _what_if(client, row, {"shift-cvr": "5"})  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = _what_if(client, row, {"shift-cvr": "5"})
    assert response.status_code == 200 and b"what-if-probability" in response.content
    # session, user, membership + company, the snapshot's what-if columns
    assert len(queries) <= 4, [q["sql"] for q in queries]
    reads = [q["sql"] for q in queries if "reviews_reforecast" in q["sql"]]
    assert len(reads) == 1 and '"what_if_inputs"' in reads[0]
    assert '"payload"' not in reads[0] and "reforecastforecasts" not in reads[0]
    # The bytes it reads: a few KB for three leaves, a fraction of what the report keeps.
    inputs = bytes(Reforecast.objects.values_list("what_if_inputs", flat=True).get(pk=row.pk))
    assert len(inputs) < 4_000


@pytest.mark.django_db
def test_the_report_reads_neither_the_what_if_inputs_nor_the_forecasts(world, shop):
    client, row = _client(world, "viewer"), shop["this"]
    url = _month_url("reforecast-detail", row)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    sql = " ".join(q["sql"] for q in queries)
    assert "what_if_inputs" not in sql and "reforecastforecasts" not in sql
    assert "forecasts" not in row.payload and "correlation" not in row.payload
    stored = ReforecastForecasts.objects.get(reforecast=row).forecasts
    assert {"rev", "uu", "cvr", "aov"} <= set(stored)  # every KPI with numbers


@pytest.mark.django_db
def test_a_snapshots_what_if_keeps_its_own_tree_and_kgi(world, shop):
    client, row = _client(world, "viewer"), shop["this"]
    before = _what_if(client, row, {"shift-cvr": "10"}).content
    # The tree changes and the KGI is archived after the snapshot: the snapshot's what-if
    # still answers from what it stored, with the same figures.
    Kpi.objects.filter(company=row.company, code="rev").update(formula="uu * aov")
    Kgi.objects.filter(company=row.company).update(status=KgiStatus.ARCHIVED)
    assert _what_if(client, row, {"shift-cvr": "10"}).content == before


@pytest.mark.django_db
def test_an_old_shape_what_if_without_an_active_kgi_says_so(world, shop):
    row = _as_old_shape(shop["this"])
    Kgi.objects.filter(company=shop["company"]).update(status=KgiStatus.ARCHIVED)
    response = _what_if(_client(world, "viewer"), row, {"shift-cvr": "5"})
    assert response.status_code == 200 and b"no active KGI" in response.content
    with pytest.raises(OutlookUnavailable):
        what_if_from_payload(shop["company"], row.payload)


@pytest.mark.django_db
def test_stored_forecasts_are_written_once(world, shop):
    stored = ReforecastForecasts.objects.get(reforecast=shop["this"])
    stored.forecasts = {}
    with pytest.raises(ValueError, match="immutable"):
        stored.save()
    assert _shown_probability(_what_if(_client(world, "viewer"), shop["this"], {})) \
        == f"{100 * shop['this'].probability:.0f}%"


@pytest.mark.django_db
def test_the_migration_moves_an_old_snapshots_forecasts_to_their_table(world, shop):
    migration = importlib.import_module("reviews.migrations.0006_reforecast_forecasts_apart")
    client, row = _client(world, "viewer"), shop["this"]
    url = _month_url("reforecast-detail", row)
    old = _as_old_shape(row)
    anomaly = {"code": "cvr", "name_ja": "購入率", "name_en": "Conversion rate",
               "unit": "percent", "period_start": "2026-01-01", "value": 1.2, "low": 1.8,
               "high": 2.4, "score": -4.1}
    Reforecast.objects.filter(pk=row.pk).update(payload={**old.payload, "anomalies": [anomaly]})
    page = client.get(url).content.decode()
    assert "January 2026" in page  # a monthly KPI's anomaly, cadence from the forecasts
    what_if = _what_if(client, row, {"shift-cvr": "10"}).content
    forecasts = old.payload["forecasts"]

    migration.forecasts_apart(django_apps, None)
    moved = Reforecast.objects.get(pk=row.pk)
    assert "forecasts" not in moved.payload and "correlation" in moved.payload
    assert moved.payload["anomalies"][0]["cadence"] == "monthly"
    assert ReforecastForecasts.objects.get(reforecast=row).forecasts == forecasts
    after = client.get(url).content.decode()
    assert after == page.replace(_csrf(page), _csrf(after))
    assert _what_if(client, row, {"shift-cvr": "10"}).content == what_if
    migration.forecasts_apart(django_apps, None)  # twice: nothing more to move

    migration.forecasts_back(django_apps, None)
    back = Reforecast.objects.get(pk=row.pk)
    assert back.payload["forecasts"] == forecasts
    assert not ReforecastForecasts.objects.filter(reforecast=row).exists()

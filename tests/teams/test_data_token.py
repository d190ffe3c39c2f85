"""Pages cached under the company data token show every write on the next load.

The token is changed by database triggers (kgiapp.dataversion), so these tests write
the way each path of the app writes: model saves, bulk inserts and upserts (COPY on
PostgreSQL for big imports), queryset updates and deletes, raw SQL.
"""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.facts.models import KpiFact
from metrics.facts.store import facts_refresh
from metrics.measurements import CHUNK, Entry, measurement_upsert, measurements_bulk_upsert
from metrics.models import Anomaly, Campaign, Kgi, KgiStatus, Kpi, Measurement, Target
from reviews.models import Reforecast
from teams.dataversion import data_token
from teams.models import Company, CompanyDataVersion, Team
from tests.metrics.factories import KgiFactory, KpiFactory, MeasurementFactory, TargetFactory


def token(company):
    return CompanyDataVersion.objects.get(company=company).token


@pytest.fixture
def orders(world, client):
    """A KPI with numbers on every page: the dashboard, its team's page and its own page."""
    kpi = KpiFactory(company=world.company, code="orders", name_en="Orders", team=world.team,
                     focus="active", unit="count")
    for week in range(4):
        MeasurementFactory(kpi=kpi, period_start=date(2026, 1, 5) + timedelta(weeks=week),
                           value=1000 + week)
    client.force_login(world.user("admin"))
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return kpi


URLS = ["/acme/", "/acme/teams/sales/", "/acme/kpis/orders/"]


def card(html, code):
    """The card of one KPI on a page."""
    start = html.index(f'data-kpi="{code}"')
    return html[start:html.index("</article>", start)]


@pytest.mark.django_db
@pytest.mark.parametrize("url", URLS)
def test_writing_a_measurement_shows_the_new_value_on_the_next_load(orders, client, url):
    assert "1,003" in client.get(url).content.decode()
    assert "1,003" in client.get(url).content.decode()  # from the cache now
    measurement_upsert(company=orders.company, kpi=orders, period=date(2026, 2, 2),
                       value=Decimal("4321"))
    html = client.get(url).content.decode()
    assert "4,321" in html


@pytest.mark.django_db
def test_stored_facts_spare_the_pages_the_measurements(orders, client):
    """Written around the writer (a factory), the fact is dirty and computed live; once
    stored, the dashboard and the team page read no measurement at all."""
    def reads_values(ctx):  # the first-run step's EXISTS aside, no value is read
        return any("metrics_measurement" in q["sql"] and "EXISTS" not in q["sql"]
                   for q in ctx.captured_queries)

    with CaptureQueriesContext(connection) as dirty:
        client.get("/acme/")
    assert reads_values(dirty)
    facts_refresh(orders.company)
    for url in ("/acme/", "/acme/teams/sales/"):
        with CaptureQueriesContext(connection) as clean:
            assert "1,003" in client.get(url).content.decode()
        assert not reads_values(clean), url


@pytest.mark.django_db
def test_a_new_target_turns_the_card_status_on_the_next_load(orders, client):
    for url in ("/acme/", "/acme/teams/sales/"):
        assert "No target" in card(client.get(url).content.decode(), "orders")
    TargetFactory(kpi=orders, period_kind="month", period_start=date(2026, 1, 1), value=99_999)
    for url in ("/acme/", "/acme/teams/sales/"):
        assert "Off track" in card(client.get(url).content.decode(), "orders")


@pytest.mark.django_db
def test_renaming_a_kpi_or_a_team_shows_on_the_next_load(orders, client):
    client.get("/acme/")
    Kpi.objects.filter(pk=orders.pk).update(name_en="Paid orders")
    Team.objects.filter(pk=orders.team_id).update(name="Field sales")
    html = client.get("/acme/").content.decode()
    assert "Paid orders" in html and "Field sales" in html


@pytest.mark.django_db
def test_the_cached_page_follows_the_language(orders, client):
    orders.unit = "JPY"
    orders.save()
    Measurement.objects.filter(kpi=orders).update(value=83_000_000)
    assert "¥83M" in client.get("/acme/").content.decode()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "ja"
    assert "¥8,300万" in client.get("/acme/").content.decode()


def _measurement_write(kpi):
    MeasurementFactory(kpi=kpi, period_start=date(2026, 3, 2))


def _bulk_upsert(kpi):
    Measurement.objects.bulk_create(
        [Measurement(company=kpi.company, kpi=kpi, period_start=date(2026, 1, 5), value=7)],
        update_conflicts=True, unique_fields=["kpi", "period_start"], update_fields=["value"])


def _queryset_update(kpi):
    Measurement.objects.filter(kpi=kpi).update(value=1)


def _queryset_delete(kpi):
    Measurement.objects.filter(kpi=kpi).delete()


def _raw_sql(kpi):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Measurement._meta.db_table} SET value = 2 WHERE kpi_id = %s",
                       [kpi.pk])


def _target(kpi):
    TargetFactory(kpi=kpi)


def _target_superseded(kpi):
    target = TargetFactory(kpi=kpi)
    before = token(kpi.company)
    Target.objects.filter(pk=target.pk).update(value=5)
    assert token(kpi.company) != before


def _kpi_focus(kpi):
    Kpi.objects.filter(pk=kpi.pk).update(focus="monitoring")


def _kgi(kpi):
    KgiFactory(company=kpi.company, kpi=kpi, status=KgiStatus.ACTIVE)


def _kgi_edit(kpi):
    kgi = KgiFactory(company=kpi.company, kpi=kpi, status=KgiStatus.ACTIVE)
    before = token(kpi.company)
    Kgi.objects.filter(pk=kgi.pk).update(target=1)
    assert token(kpi.company) != before


def _campaign(kpi):
    campaign = Campaign.objects.create(company=kpi.company, name="Sale",
                                       start=date(2026, 1, 5), end=date(2026, 1, 11))
    before = token(kpi.company)
    campaign.kpis.add(kpi)
    assert token(kpi.company) != before


def _anomaly(kpi):
    Anomaly.objects.create(company=kpi.company, kpi=kpi, period_start=date(2026, 1, 5), value=9,
                           expected=1, expected_low=0, expected_high=2, score=5)


def _reforecast(kpi):
    Reforecast.objects.create(company=kpi.company, month=date(2026, 2, 1))


def _team(kpi):
    Team.objects.create(company=kpi.company, slug="new", name="New team")


WRITES = [_target, _target_superseded, _kpi_focus, _kgi, _kgi_edit, _campaign, _anomaly,
          _reforecast, _team]
# Numbers no longer move the company's token (metrics/0010): they move their KPI's fact.
NUMBER_WRITES = [_measurement_write, _bulk_upsert, _queryset_update, _queryset_delete, _raw_sql]


def fact_version(kpi):
    return KpiFact.objects.filter(kpi=kpi).values_list("version", "dirty").first()


@pytest.mark.django_db
@pytest.mark.parametrize("write", WRITES, ids=[w.__name__.strip("_") for w in WRITES])
def test_every_write_the_pages_read_changes_the_token_of_that_company_only(orders, world, write):
    mine, theirs = token(world.company), token(world.other)
    write(orders)
    assert token(world.company) != mine
    assert token(world.other) == theirs


@pytest.mark.django_db
@pytest.mark.parametrize("write", NUMBER_WRITES, ids=[w.__name__.strip("_") for w in NUMBER_WRITES])
def test_every_number_write_marks_its_kpi_fact_and_leaves_the_company_row(orders, world, write):
    """Whatever writes the numbers (raw SQL, a queryset), the KPI's fact gets a new version
    and is marked dirty, and no row shared by the company is written."""
    facts_refresh(orders.company)
    before, mine = fact_version(orders), token(world.company)
    assert before[1] is False
    write(orders)
    after = fact_version(orders)
    assert after[0] != before[0] and after[1] is True
    assert token(world.company) == mine


@pytest.mark.django_db
def test_a_big_import_stores_its_facts(orders, world):
    """More than CHUNK values: on PostgreSQL this is the COPY + upsert path."""
    facts_refresh(orders.company)
    before, mine = fact_version(orders), token(world.company)
    first = date(2000, 1, 3)
    entries = [Entry(orders, first + timedelta(weeks=n), Decimal(n), n) for n in range(CHUNK + 1)]
    measurements_bulk_upsert(company=world.company, entries=entries)
    after = fact_version(orders)
    assert after[0] != before[0] and after[1] is False  # stored by the writer, clean
    assert token(world.company) == mine


@pytest.mark.django_db
def test_a_new_company_gets_a_token_and_deleting_one_still_works(db):
    company = Company.objects.create(slug="fresh", name="Fresh")
    assert data_token(company) is not None
    kpi = KpiFactory(company=company)
    MeasurementFactory(kpi=kpi)
    company.delete()
    assert not CompanyDataVersion.objects.filter(company_id=company.pk).exists()


@pytest.mark.django_db
def test_without_a_token_pages_are_computed_every_time(orders, client):
    CompanyDataVersion.objects.filter(company=orders.company).delete()
    assert "1,003" in client.get("/acme/").content.decode()
    Measurement.objects.filter(kpi=orders).update(value=555)
    assert "555" in client.get("/acme/").content.decode()

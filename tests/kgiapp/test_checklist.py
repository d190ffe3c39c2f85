"""The 3-minute checklist is computed from the data: each item flips ✗ → ✓ when fixed."""
from datetime import date

import pytest

from kgiapp.checklist import ANOMALY_BEAT, MONTHLY_REFORECAST_BEAT, WEEKLY_REVIEW_BEAT, checklist
from metrics.models import Kgi, KgiStatus, Kpi
from tests.metrics.factories import KgiFactory, KpiFactory, MeasurementFactory


def _item(company, number):
    return next(i for i in checklist(company) if i.number == number)


@pytest.fixture
def root(world):
    return KpiFactory(company=world.company, code="revenue", unit="JPY", phase="revenue",
                      cadence="monthly", kind="lagging", formula="uu * cvr")


@pytest.mark.django_db
def test_item1_one_smart_kgi(world, root):
    assert not _item(world.company, 1).ok
    kgi = KgiFactory(company=world.company, kpi=root, status=KgiStatus.ACTIVE, why="")
    item = _item(world.company, 1)
    assert not item.ok and "why" in item.detail and item.fix_url
    Kgi.objects.filter(pk=kgi.pk).update(why="Fund the stores.")
    assert _item(world.company, 1).ok


@pytest.mark.django_db
def test_item2_focus_kpis_mostly_leading(world, root):
    KpiFactory(company=world.company, code="aov", kind="lagging", focus="active")
    assert not _item(world.company, 2).ok
    KpiFactory(company=world.company, code="cvr", kind="leading", focus="active")
    item = _item(world.company, 2)
    assert item.ok and "1" in item.detail and "2" in item.detail


@pytest.mark.django_db
def test_item3_every_focus_kpi_tied_to_the_kgi_by_formula(world, root):
    KgiFactory(company=world.company, kpi=root, status=KgiStatus.ACTIVE)
    KpiFactory(company=world.company, code="uu", focus="active")
    KpiFactory(company=world.company, code="aov", focus="active")
    item = _item(world.company, 3)
    assert not item.ok and "aov" in item.detail and "uu" not in item.detail
    Kpi.objects.filter(pk=root.pk).update(formula="uu * cvr * aov")
    assert _item(world.company, 3).ok


@pytest.mark.django_db
def test_item4_north_star_with_phase_layers_and_cadences(world, root):
    KgiFactory(company=world.company, kpi=root, status=KgiStatus.ACTIVE)
    KpiFactory(company=world.company, code="uu", phase="acquisition", cadence="weekly")
    assert not _item(world.company, 4).ok  # no numbers, two phases
    MeasurementFactory(kpi=root, period_start=date(2026, 1, 1))
    assert not _item(world.company, 4).ok  # still only two phases
    KpiFactory(company=world.company, code="cvr", phase="conversion", cadence="weekly")
    assert _item(world.company, 4).ok


@pytest.mark.django_db
def test_items5_and_6_flip_when_the_review_and_reforecast_jobs_are_scheduled(world, settings,
                                                                             root):
    settings.CELERY_BEAT_SCHEDULE = {}
    assert not _item(world.company, 5).ok and not _item(world.company, 6).ok
    settings.CELERY_BEAT_SCHEDULE = {WEEKLY_REVIEW_BEAT: {}}
    assert not _item(world.company, 6).ok
    settings.CELERY_BEAT_SCHEDULE = {WEEKLY_REVIEW_BEAT: {}, MONTHLY_REFORECAST_BEAT: {}}
    # Scheduled, but with no active KGI the monthly reforecast has nothing to do.
    assert not _item(world.company, 6).ok
    KgiFactory(company=world.company, kpi=root, status=KgiStatus.ACTIVE)
    assert _item(world.company, 6).ok
    assert not _item(world.company, 5).ok  # no anomaly detector scheduled yet
    settings.CELERY_BEAT_SCHEDULE = {WEEKLY_REVIEW_BEAT: {}, MONTHLY_REFORECAST_BEAT: {},
                                     ANOMALY_BEAT: {}}
    assert _item(world.company, 5).ok  # the world has a computed reforecast


@pytest.mark.django_db
def test_item5_needs_an_attainment_probability_computed(world, settings):
    settings.CELERY_BEAT_SCHEDULE = {WEEKLY_REVIEW_BEAT: {}, MONTHLY_REFORECAST_BEAT: {},
                                     ANOMALY_BEAT: {}}
    world.extra["reforecast"].delete()
    item = _item(world.company, 5)
    assert not item.ok and item.detail and item.fix_url == "/acme/reforecasts/"


@pytest.mark.django_db
def test_checklist_is_shown_to_admins_only_with_marks_and_fix_links(world, client):
    world.extra["reforecast"].delete()
    client.force_login(world.user("admin"))
    html = client.get("/acme/").content.decode()
    failing = [item for item in checklist(world.company) if not item.ok]
    assert len(failing) >= 4  # a new company: no SMART KGI, no focus KPIs, no numbers, no forecast
    assert "checklist" in html and html.count('class="ng"') == len(failing) and "✗" in html
    assert 'class="check-fix" href="/acme/' in html
    client.force_login(world.user("executive"))
    assert "checklist-items" not in client.get("/acme/").content.decode()

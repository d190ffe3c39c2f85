"""Dashboard cards say which period their number is ("as of"), flag a card whose latest
week is behind the others, and show an anomaly badge only while it is news: on the KPI's
latest period or the one before, one badge, never "unusually high" and "low" at once."""
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from kgiapp.dashboard import dashboard
from metrics.models import Anomaly
from tests.metrics.factories import KpiFactory, MeasurementFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 2)  # Wednesday of 2026-W49
MONDAY = date(2026, 11, 30)


def _weekly(world, code, weeks_back_of_latest, count=6):
    kpi = KpiFactory(company=world.company, code=code, cadence="weekly", unit="count",
                     team=world.team)
    latest = MONDAY - timedelta(weeks=weeks_back_of_latest)
    for i in range(count):
        MeasurementFactory(kpi=kpi, period_start=latest - timedelta(weeks=i), value=100 + i)
    return kpi


def _cards(world):
    with translation.override("en"):
        data = dashboard(world.company, show_all=True, today=TODAY)
    return {r.code: r for layer in data["layers"] for p in layer["phases"] for r in p["rows"]}


def _flag(kpi, day, high):
    Anomaly.objects.create(company=kpi.company, kpi=kpi, period_start=day,
                           value=200 if high else 10, expected=100, expected_low=80,
                           expected_high=120, score=5)


def test_each_card_says_its_period_and_a_card_behind_the_others_says_so(world):
    _weekly(world, "fresh", 1)
    _weekly(world, "late", 3)
    cards = _cards(world)
    assert cards["fresh"].period_text == "2026-W48" and not cards["fresh"].behind
    assert cards["late"].period_text == "2026-W46" and cards["late"].behind


def test_the_page_prints_as_of_and_behind(client, world):
    _weekly(world, "fresh", 1)
    _weekly(world, "late", 3)
    client.force_login(world.user("admin"))
    client.cookies["kgi_language"] = "en"
    body = client.get(reverse("dashboard", kwargs={"company": world.company.slug}),
                      {"all": "1"}).content.decode()
    assert "as of 2026-W46 · behind the other cards" in body
    assert "as of 2026-W48<" in body


def test_an_old_anomaly_shows_no_badge(world):
    kpi = _weekly(world, "fresh", 1)
    _flag(kpi, MONDAY - timedelta(weeks=5), high=True)
    assert _cards(world)["fresh"].anomalies == []


def test_a_card_shows_one_badge_the_latest_never_high_and_low(world):
    kpi = _weekly(world, "fresh", 1)
    _flag(kpi, MONDAY - timedelta(weeks=2), high=True)
    _flag(kpi, MONDAY - timedelta(weeks=1), high=False)
    badges = _cards(world)["fresh"].anomalies
    assert [(b["label"], b["period_text"]) for b in badges] == [("Unusually low", "2026-W48")]


def test_one_card_with_this_weeks_first_number_does_not_mark_the_others_behind(world):
    for code in ("a", "b", "c"):
        _weekly(world, code, 1)
    _weekly(world, "early", 0)
    cards = _cards(world)
    assert not any(cards[code].behind or cards[code].ahead for code in ("a", "b", "c"))
    assert cards["early"].ahead and cards["early"].period_text == "2026-W49"

"""Monthly snapshots: one per company and month, complete or absent, immutable once done."""
from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from metrics.models import Measurement
from reviews.models import Decision, Reforecast, ReforecastStatus, Scenario
from reviews.reforecast import services as service
from reviews.reforecast.tasks import reforecast_monthly
from reviews.services import review_open_for_week
from teams.models import Team
from tests.metrics.analytics.shop import build_shop, month_after_data

pytestmark = pytest.mark.django_db
MONTH = month_after_data()


def snapshot(company, month=MONTH):
    row, _queued = service.reforecast_request(company=company, month=month)
    return service.reforecast_compute(reforecast_id=row.pk)


def test_running_twice_leaves_one_identical_snapshot():
    company, _kgi, _ = build_shop()
    first = snapshot(company)
    second = snapshot(company)
    assert Reforecast.objects.filter(company=company).count() == 1
    assert first.pk == second.pk and second.status == ReforecastStatus.DONE
    assert (second.probability, second.p50, second.fingerprint) == (
        first.probability, first.p50, first.fingerprint)
    assert second.attempts == 1  # the second run saw it done and did nothing


def test_a_done_snapshot_is_immutable():
    company, _kgi, _ = build_shop()
    row = snapshot(company)
    row.probability = 0.99
    with pytest.raises(ValueError):
        row.save()
    row.refresh_from_db()
    assert row.probability != 0.99


def test_the_database_refuses_a_second_snapshot_for_the_month_and_a_done_row_without_figures():
    company, _kgi, _ = build_shop()
    snapshot(company)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reforecast.objects.create(company=company, month=MONTH)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reforecast.objects.create(company=company, month=date(2020, 1, 1),
                                  status=ReforecastStatus.DONE)


def test_a_run_that_dies_halfway_leaves_no_figures_and_the_retry_completes_it():
    company, _kgi, _ = build_shop()
    row, _ = service.reforecast_request(company=company, month=MONTH)
    with mock.patch("reviews.reforecast.services.kgi_outlook", side_effect=SystemExit("killed")), \
            pytest.raises(SystemExit):
        service.reforecast_compute(reforecast_id=row.pk)
    row.refresh_from_db()
    assert row.status == ReforecastStatus.RUNNING and row.probability is None
    done = service.reforecast_compute(reforecast_id=row.pk)
    assert done.status == ReforecastStatus.DONE and done.attempts == 2
    assert Reforecast.objects.filter(company=company).count() == 1


def test_a_month_that_cannot_be_forecast_fails_with_its_reason_and_can_be_asked_again():
    company, _kgi, kpis = build_shop()
    Measurement.objects.filter(kpi=kpis["cvr"]).delete()
    company.language = "en"
    company.save()
    with translation.override("ja"):  # the worker's language does not leak into the text
        row = snapshot(company)
    assert row.status == ReforecastStatus.FAILED and "Conversion rate" in row.error
    again, queued = service.reforecast_request(company=company, month=MONTH)
    assert queued and again.pk == row.pk and again.status == ReforecastStatus.PENDING


def test_a_done_month_is_not_queued_again():
    company, _kgi, _ = build_shop()
    snapshot(company)
    _row, queued = service.reforecast_request(company=company, month=MONTH)
    assert queued is False


def test_the_change_since_last_month_is_split_into_steps_that_add_up():
    company, _kgi, kpis = build_shop(target=4.35 * 10_000 * 2.0 / 100 * 1.05)
    earlier = snapshot(company, month=date(2026, 6, 1))
    # July: CVR improves by a fifth over the last weeks before the snapshot.
    Measurement.objects.filter(kpi=kpis["cvr"], period_start__gte=date(2026, 6, 1)).update(
        value=Decimal("2.4"))
    later = snapshot(company, month=date(2026, 7, 1))
    changes = later.payload["changes"]
    assert changes["previous"] == pytest.approx(earlier.probability)
    total = sum(step["delta_pp"] for step in changes["steps"])
    assert total == pytest.approx(100 * (later.probability - earlier.probability), abs=0.05)
    cvr_step = next(s for s in changes["steps"] if s["code"] == "cvr")
    assert cvr_step["delta_pp"] > 5 and cvr_step["after"] > cvr_step["before"]


def test_the_decisions_that_mattered_are_those_on_the_kpis_that_moved():
    company, _kgi, kpis = build_shop(target=4.35 * 10_000 * 2.0 / 100 * 1.05)
    team = Team.objects.create(company=company, slug="growth", name="Growth")
    snapshot(company, month=date(2026, 6, 1))
    Measurement.objects.filter(kpi=kpis["cvr"], period_start__gte=date(2026, 6, 1)).update(
        value=Decimal("2.4"))
    for day, kpi, text in [(date(2026, 6, 8), None, "Keep calm"),
                           (date(2026, 6, 15), kpis["cvr"], "Shorten the checkout"),
                           (date(2026, 6, 22), kpis["visits"], "More ads")]:
        review = review_open_for_week(team=team, day=day)
        Decision.objects.create(review=review, kpi=kpi or kpis["visits"], text=text,
                                keep_course=kpi is None)
    decisions = snapshot(company, month=date(2026, 7, 1)).payload["decisions"]
    assert [d["text"] for d in decisions][:2] == ["Shorten the checkout", "More ads"]
    assert "Keep calm" not in [d["text"] for d in decisions]


def test_a_decision_recorded_every_week_is_listed_once_with_its_weeks():
    company, _kgi, kpis = build_shop(target=4.35 * 10_000 * 2.0 / 100 * 1.05)
    team = Team.objects.create(company=company, slug="growth", name="Growth")
    snapshot(company, month=date(2026, 6, 1))
    for day in (date(2026, 6, 8), date(2026, 6, 15), date(2026, 6, 22)):
        review = review_open_for_week(team=team, day=day)
        Decision.objects.create(review=review, kpi=kpis["cvr"], text="Check the numbers again")
    review = review_open_for_week(team=team, day=date(2026, 6, 22))
    Decision.objects.create(review=review, kpi=kpis["visits"], text="More ads")
    decisions = snapshot(company, month=date(2026, 7, 1)).payload["decisions"]
    assert sorted(d["text"] for d in decisions) == ["Check the numbers again", "More ads"]
    assert next(d for d in decisions if d["text"].startswith("Check"))["weeks"] == 3


def test_a_scenario_is_saved_with_its_figures_and_names_are_unique_per_month():
    company, _kgi, _ = build_shop(target=4.35 * 10_000 * 2.0 / 100 * 1.05)
    row = snapshot(company)
    scenario = service.scenario_save(reforecast=row, name="CVR +10", shifts_pct={"cvr": 10})
    assert scenario.probability > row.probability
    assert scenario.shifts == {"cvr": 10.0}
    with pytest.raises(service.ScenarioRefused):
        service.scenario_save(reforecast=row, name="CVR +10", shifts_pct={"cvr": 5})
    with pytest.raises(service.ScenarioRefused):
        service.scenario_save(reforecast=row, name="  ", shifts_pct={"cvr": 5})
    assert Scenario.objects.filter(reforecast=row).count() == 1


def test_the_monthly_beat_queues_each_company_with_a_kgi_once(django_capture_on_commit_callbacks):
    build_shop(slug="one")
    build_shop(slug="two")
    with django_capture_on_commit_callbacks(execute=True):
        assert reforecast_monthly() == 2
    assert Reforecast.objects.filter(status=ReforecastStatus.DONE).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert reforecast_monthly() == 0
    assert Reforecast.objects.count() == 2



def test_the_snapshot_is_computed_with_the_cyclic_collector_held_off():
    import gc

    company, _kgi, _ = build_shop()
    seen = []
    real = service.kgi_outlook

    def outlook(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    with mock.patch("reviews.reforecast.services.kgi_outlook", side_effect=outlook):
        row = snapshot(company)
    assert row.status == ReforecastStatus.DONE and seen == [False]
    assert gc.isenabled()

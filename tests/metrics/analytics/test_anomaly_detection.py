"""The nightly detector over stored numbers (metrics.anomaly_detection.anomalies_detect)."""
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from metrics.anomaly_detection import anomalies_detect
from metrics.models import Anomaly, AnomalyLabel, Campaign, Measurement
from metrics.selectors import anomalies_by_kpi
from metrics.tasks import anomalies_nightly
from tests.metrics.analytics.shop import build_shop, mondays

pytestmark = pytest.mark.django_db
LAST = mondays(80)[-1]
TODAY = LAST + timedelta(days=8)


def set_value(kpi, day, value):
    Measurement.objects.filter(kpi=kpi, period_start=day).update(value=Decimal(value))


def test_an_outage_is_flagged_with_its_expected_range_and_a_campaign_week_is_labelled_campaign():
    company, _kgi, kpis = build_shop()
    outage, sale = LAST - timedelta(weeks=3), LAST - timedelta(weeks=8)
    set_value(kpis["cvr"], outage, "1.1")
    set_value(kpis["visits"], sale, "16000")
    campaign = Campaign.objects.create(company=company, name="Sale", start=sale,
                                       end=sale + timedelta(days=6))
    campaign.kpis.set([kpis["visits"]])
    anomalies_detect(company=company, today=TODAY)
    flagged = anomalies_by_kpi([kpis["cvr"].pk, kpis["visits"].pk])
    cvr = [a for a in flagged[kpis["cvr"].pk] if a["period_start"] == outage]
    assert cvr and cvr[0]["score"] < -4 and cvr[0]["low"] > 1.1 and cvr[0]["value"] < cvr[0]["low"]
    assert not flagged.get(kpis["visits"].pk)
    assert Anomaly.objects.get(kpi=kpis["visits"], period_start=sale).label == \
        AnomalyLabel.CAMPAIGN


def test_running_the_detector_twice_keeps_the_same_rows_and_a_corrected_number_clears_its_flag():
    company, _kgi, kpis = build_shop()
    outage = LAST - timedelta(weeks=2)
    set_value(kpis["cvr"], outage, "1.0")
    first = anomalies_detect(company=company, today=TODAY)
    rows = list(Anomaly.objects.values_list("kpi_id", "period_start", "score"))
    assert anomalies_detect(company=company, today=TODAY) == first
    assert list(Anomaly.objects.values_list("kpi_id", "period_start", "score")) == rows
    set_value(kpis["cvr"], outage, "2.0")
    anomalies_detect(company=company, today=TODAY)
    assert not Anomaly.objects.filter(kpi=kpis["cvr"], period_start=outage).exists()


def test_findings_older_than_the_window_are_kept_and_other_companies_untouched(
        django_capture_on_commit_callbacks):
    company, _kgi, kpis = build_shop()
    other, _kgi2, other_kpis = build_shop(slug="other")
    old = Anomaly.objects.create(company=company, kpi=kpis["cvr"],
                                 period_start=LAST - timedelta(weeks=40), value=1, expected=2,
                                 expected_low=1.5, expected_high=2.5, score=-5)
    set_value(other_kpis["cvr"], LAST - timedelta(weeks=1), "0.9")
    anomalies_detect(company=company, today=TODAY)
    assert Anomaly.objects.filter(pk=old.pk).exists()
    assert not Anomaly.objects.filter(company=other).exists()
    with time_machine.travel(TODAY), django_capture_on_commit_callbacks(execute=True):
        anomalies_nightly()
    assert Anomaly.objects.filter(company=other).exists()

"""The nightly anomaly detector over a company's stored numbers.

Loads each KPI's series (campaign periods masked), runs the engine's online detector and
replaces the recent window's findings, so it can run twice with the same result.
"""
from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from engine import anomalies as anomaly_engine
from metrics.analytics import kpi_series
from metrics.models import Anomaly, Kpi

# How far back the nightly detector (re)writes its findings, per cadence.
ANOMALY_WINDOW_DAYS = {"daily": 60, "weekly": 13 * 7, "monthly": 190}


def anomalies_detect(*, company, today: date | None = None) -> int:
    """Run the detector over every KPI of the company and store the recent findings.

    Idempotent: the rows of each KPI's recent window are replaced by what the detector
    sees now, so running it twice leaves the same rows. Returns how many were stored.
    """
    today = today or timezone.localdate()
    kpis = list(Kpi.objects.filter(company=company))
    series = kpi_series(company, kpis, until=today + timedelta(days=1))
    cutoff = {cadence: today - timedelta(days=days)
              for cadence, days in ANOMALY_WINDOW_DAYS.items()}
    found = []
    for item in series.values():
        if item.values.size < 8:
            continue
        since = cutoff[item.kpi.cadence]
        settings = anomaly_engine.CADENCE_SETTINGS[item.kpi.cadence]
        for hit in anomaly_engine.detect(item.values, campaign_mask=item.campaign, **settings):
            day = item.periods[hit.index]
            if day < since:
                continue
            found.append(Anomaly(
                company=company, kpi=item.kpi, period_start=day, value=hit.value,
                expected=hit.expected, expected_low=hit.low, expected_high=hit.high,
                score=hit.score, label=hit.label, kind=hit.kind))
    window = Q()
    for cadence, since in cutoff.items():
        window |= Q(kpi__cadence=cadence, period_start__gte=since)
    with transaction.atomic():
        Anomaly.objects.filter(company=company).filter(window).delete()
        Anomaly.objects.bulk_create(found)
    return len(found)

"""The dashboard's counts per column and status are kept as deltas by triggers on the facts
(metrics.facts.counts) and always equal counting the facts."""
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Sum

from metrics.facts.counts import counts_compact
from metrics.facts.models import KpiFact, KpiFactCount
from metrics.measurements import measurement_upsert
from metrics.models import Kpi
from metrics.targets import target_set
from tests.kgiapp.bigorg import build_org

pytestmark = [pytest.mark.django_db, pytest.mark.skipif(
    connection.vendor != "postgresql", reason="kept by PostgreSQL triggers")]


def kept(company):
    return {(r["cadence"], r["phase"], r["status"]): r["n"] for r in
            KpiFactCount.objects.filter(company_id=company.pk).values("cadence", "phase", "status")
            .annotate(n=Sum("delta")) if r["n"]}


def counted(company):
    return {(r["cadence"], r["phase"], r["status"]): r["n"] for r in
            KpiFact.objects.filter(company=company, is_vanity=False)
            .values("cadence", "phase", "status").annotate(n=Count("pk"))}


@pytest.fixture
def org():
    company, _user, _teams, kpis = build_org("cnt", teams=2, kpis_per_team=8, periods=6)
    return company, kpis


def test_the_kept_counts_follow_every_change_of_the_facts(org):
    company, kpis = org
    assert kept(company) == counted(company) and sum(kept(company).values()) == len(kpis)
    kpi = Kpi.objects.get(company=company, code="t0_k0")
    # A target, then a number that moves the KPI's status.
    target_set(kpi=kpi, period=date(2026, 2, 1), value=Decimal("100000"))
    measurement_upsert(company=company, kpi=kpi, period=date(2026, 2, 9), value=Decimal("5"))
    assert kept(company) == counted(company)
    # A KPI's column moves, a KPI becomes vanity (counted nowhere), a KPI is deleted.
    Kpi.objects.filter(pk=kpi.pk).update(cadence="monthly", phase="retention")
    Kpi.objects.filter(code="t1_k1", company=company).update(is_vanity=True, focus="monitoring")
    Kpi.objects.filter(code="t1_k2", company=company).delete()
    assert kept(company) == counted(company)
    assert sum(kept(company).values()) == len(kpis) - 2


def test_compaction_keeps_the_sums_in_one_row_a_group(org):
    company, kpis = org
    for value in ("1", "900", "3", "1200"):
        measurement_upsert(company=company, kpi=Kpi.objects.get(company=company, code="t0_k2"),
                           period=date(2026, 2, 9), value=Decimal(value))
    before = kept(company)
    counts_compact()
    rows = KpiFactCount.objects.filter(company_id=company.pk)
    assert kept(company) == before == counted(company)
    assert rows.count() == len(before)  # one row a group, none that sums to nothing
    counts_compact()  # again: nothing changes
    assert rows.count() == len(before) and kept(company) == before


def test_the_dashboard_shows_the_kept_counts(org, client):
    company, _kpis = org
    KpiFactCount.objects.filter(company_id=company.pk).update(delta=0)
    KpiFactCount.objects.create(company_id=company.pk, cadence="weekly", phase="acquisition",
                                status="no_target", delta=777)
    client.force_login(company.memberships.first().user)
    html = client.get("/cnt/").content.decode()
    # What the page says comes from the kept rows (here made up), not from counting facts.
    assert "777" in html


def test_the_beat_job_compacts(org):
    from metrics.tasks import fact_counts_compact

    company, _kpis = org
    before = kept(company)
    left = fact_counts_compact()
    assert left == KpiFactCount.objects.count() and kept(company) == before

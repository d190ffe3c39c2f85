"""The monthly metrics match a worked example computed by hand, and feed the cs KPIs.

March 2025. Active at the start of March: A, B, C, D (4). F and I left in February; E and the
two March contracts G, H joined in March (E also left in March, so it counts nowhere).
C's expansion and D's downgrade are dated 1 March (billed from March on): March's movements.
  logo churn   = B lost ÷ 4                                 = 1/4  = 25 %
  start MRR    = A 100 + B 200 + C 100 + D 400               = 800
  churned MRR  = B 200; expansion C +50; contraction D −100
  gross revenue churn = (200 + 100) ÷ 800                    = 37.5 %
  GRR          = (800 − 100 − 200) ÷ 800                     = 62.5 %
  NRR          = (800 + 50 − 100 − 200) ÷ 800                = 68.75 %
  ARPA         = 800 ÷ 4 = 200
  LTV          = ARPA × margin 0.8 ÷ the average logo churn of the six months before March
                 (not March): Dec 0/1 (D), Jan 0/3 (A, D, I), Feb 1/4 (I of A, B, D, I);
                 Sep–Nov had nobody at their start → (0 + 0 + 1/4) ÷ 3 = 1/12
                 → 200 × 0.8 × 12                             = 1,920
  onboarding   = March contracts E, G, H; only G within 30 days = 1/3
  NPS          = answers of A..H active in March (F excluded): 10, 3, 9, 7, 9, 6
                 → promoters 3, detractors 2 of 6             = +16.67; average 44/6
  CSAT         = A 5, B 2, C 4, D 3 → 2 of 4 are 4–5          = 50 %
"""
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from customers import selectors as cs_selectors
from customers import services as cs_services
from metrics.models import Kpi, Measurement, Source, Target
from teams.services import api_token_create
from tests.customers.factories import CustomerFactory, CustomerMrrFactory

MARCH = date(2025, 3, 1)
TODAY = date(2025, 6, 1)


@pytest.fixture
def roster(world):
    t = world.team
    world.extra["customer"].delete()  # keep the example exactly as written above
    CustomerFactory(team=t, name="A", contract_date=date(2024, 12, 10), mrr=100, nps=10,
                        csat=5)
    CustomerFactory(team=t, name="B", contract_date=date(2025, 1, 5), mrr=200, nps=3, csat=2,
                        churn_date=date(2025, 3, 15))
    C = CustomerFactory(team=t, name="C", contract_date=date(2025, 2, 20), mrr=150, nps=9, csat=4)
    CustomerMrrFactory(customer=C, month=date(2025, 2, 1), mrr=100)
    CustomerMrrFactory(customer=C, month=date(2025, 3, 1), mrr=150)
    D = CustomerFactory(team=t, name="D", contract_date=date(2024, 11, 1), mrr=300, nps=7, csat=3)
    CustomerMrrFactory(customer=D, month=date(2024, 11, 1), mrr=400)
    CustomerMrrFactory(customer=D, month=date(2025, 3, 1), mrr=300)
    CustomerFactory(team=t, name="E", contract_date=date(2025, 3, 3), churn_date=date(2025, 3, 20),
                    mrr=50, onboarding_status="not_started")
    CustomerFactory(team=t, name="F", contract_date=date(2025, 2, 1), churn_date=date(2025, 2, 25),
                    mrr=100, nps=10)
    CustomerFactory(team=t, name="I", contract_date=date(2024, 12, 1), churn_date=date(2025, 2, 10),
                    mrr=100)
    CustomerFactory(team=t, name="G", contract_date=date(2025, 3, 10), mrr=100, nps=9,
                    onboarding_status="complete", onboarding_completed_on=date(2025, 3, 25))
    CustomerFactory(team=t, name="H", contract_date=date(2025, 3, 12), mrr=100, nps=6,
                    onboarding_status="complete", onboarding_completed_on=date(2025, 4, 20))
    # A customer without a contract date is reported, never counted.
    CustomerFactory(team=t, name="no date", contract_date=None, nps=0)
    return t


def by_key(team):
    with translation.override("en"):  # the notes below are asserted in English
        return {r["key"]: r for r in cs_selectors.month_metrics(team, MARCH, TODAY)}


@pytest.mark.django_db
def test_every_metric_matches_the_hand_computed_example(roster):
    m = by_key(roster)
    assert (m["logo_churn"]["numerator"], m["logo_churn"]["denominator"]) == (1, 4)
    assert m["logo_churn"]["value"] == pytest.approx(0.25)
    assert m["gross_revenue_churn"]["numerator"] == Decimal(300)
    assert m["gross_revenue_churn"]["denominator"] == Decimal(800)
    assert m["gross_revenue_churn"]["value"] == pytest.approx(0.375)
    assert m["grr"]["value"] == pytest.approx(0.625)
    assert (m["nrr"]["numerator"], m["nrr"]["denominator"]) == (Decimal(550), Decimal(800))
    assert m["nrr"]["value"] == pytest.approx(0.6875)
    assert m["arpa"]["value"] == pytest.approx(200)
    assert m["ltv"]["value"] == pytest.approx(1920)
    assert (m["onboarding_completion"]["numerator"],
            m["onboarding_completion"]["denominator"]) == (1, 3)
    assert m["nps"]["value"] == pytest.approx(100 / 6)
    assert (m["nps"]["numerator"], m["nps"]["denominator"]) == (1, 6)
    assert m["nps_average"]["value"] == pytest.approx(44 / 6)
    assert (m["csat"]["numerator"], m["csat"]["denominator"]) == (2, 4)
    assert m["logo_churn"]["note"].startswith("1 customers joined and left")


@pytest.mark.django_db
def test_ltv_is_undefined_and_says_why_without_churn_in_the_six_months_before(roster):
    with translation.override("ja"):
        m = {r["key"]: r for r in cs_selectors.month_metrics(roster, date(2025, 1, 1), TODAY)}
    assert m["logo_churn"]["value"] == 0
    assert m["ltv"]["value"] is None and m["ltv"]["display"] in ("undefined", "未定義")
    assert m["ltv"]["note"] == "算出不可：直近6か月（今月を除く）の解約なし"


@pytest.mark.django_db
def test_metrics_page_shows_numerator_and_denominator(roster, client, django_assert_max_num_queries):
    client.force_login(roster.company.memberships.get(role="viewer").user)
    url = reverse("cs-metrics", args=[roster.company.slug, roster.slug])
    with django_assert_max_num_queries(14):
        response = client.get(url, {"month": "2025-03"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "25.0 %" in html and "68.8 %" in html and "¥1,920" in html


@pytest.mark.django_db
def test_api_returns_every_metric_with_numerator_and_denominator(roster, client):
    _t, raw = api_token_create(company=roster.company,
                               user=roster.company.memberships.get(role="viewer").user, name="t")
    response = client.get(f"/api/v1/{roster.company.slug}/cs/metrics",
                          {"month": "2025-03", "team": roster.slug},
                          headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    body = response.json()
    assert body["month"] == "2025-03"
    metrics = {m["key"]: m for m in body["metrics"]}
    assert set(metrics) >= {"logo_churn", "gross_revenue_churn", "grr", "nrr", "ltv",
                            "onboarding_completion", "nps", "nps_average", "csat"}
    assert (metrics["nrr"]["numerator"], metrics["nrr"]["denominator"]) == (550, 800)


def _kpi(team, code, unit, cadence="monthly"):
    return Kpi.objects.create(company=team.company, team=team, code=code, name_ja=code,
                              name_en=code, unit=unit, cadence=cadence)


@pytest.mark.django_db
def test_metrics_feed_the_cs_kpis_as_computed_measurements_idempotently(roster):
    churn = _kpi(roster, "churn_rate", "percent")
    nps = _kpi(roster, "nps", "score")
    result = cs_services.cs_sync_measurements(team=roster, today=TODAY, months=[MARCH])
    assert result["written"] == 2
    m = Measurement.objects.get(kpi=churn, period_start=MARCH)
    assert m.value == Decimal("25.0000") and m.source == Source.COMPUTED
    assert Measurement.objects.get(kpi=nps).value == Decimal("16.6667")
    again = cs_services.cs_sync_measurements(team=roster, today=TODAY, months=[MARCH])
    assert again["written"] == 0
    assert Measurement.objects.filter(kpi__in=[churn, nps]).count() == 2


@pytest.mark.django_db
def test_a_monthly_figure_is_never_written_into_a_weekly_kpi(roster):
    """One week a month would carry March's CSAT and the other weeks nothing (a saw-tooth
    the anomaly detector flags): a monthly figure feeds only a monthly KPI."""
    weekly = _kpi(roster, "csat", "percent", cadence="weekly")
    monthly = _kpi(roster, "churn_rate", "percent")
    result = cs_services.cs_sync_measurements(team=roster, today=TODAY, months=[MARCH])
    assert result == {"written": 1, "skipped_manual": 0, "refused": 0, "other_cadence": 1}
    assert not Measurement.objects.filter(kpi=weekly).exists()
    assert Measurement.objects.get(kpi=monthly).period_start == MARCH


@pytest.mark.django_db
def test_sync_never_overwrites_a_number_typed_by_hand(roster):
    churn = _kpi(roster, "churn_rate", "percent")
    Measurement.objects.create(company=roster.company, kpi=churn, period_start=MARCH,
                               value=Decimal("4.2"), source=Source.MANUAL)
    result = cs_services.cs_sync_measurements(team=roster, today=TODAY, months=[MARCH])
    assert result["skipped_manual"] == 1
    assert Measurement.objects.get(kpi=churn).value == Decimal("4.2")


@pytest.mark.django_db
def test_manager_sets_a_smart_churn_target_for_a_quarter(roster, client):
    _kpi(roster, "churn_rate", "percent")
    client.force_login(roster.company.memberships.get(role="manager").user)
    url = reverse("cs-churn-target", args=[roster.company.slug, roster.slug])
    from django.utils import timezone

    from core.calendar import quarter_of

    this_quarter = quarter_of(timezone.localdate(), roster.company.fiscal_year_start_month).start
    response = client.post(url, {"target_percent": "3", "quarter": this_quarter.isoformat(),
                                 "month": "2025-03"})
    assert response.status_code == 302
    target = Target.objects.get(kpi__code="churn_rate", superseded_at__isnull=True)
    assert target.period_kind == "quarter" and target.value == Decimal(3)
    assert "25.0" in target.note and "3.0" in target.note

"""Customer-success metrics, each checked against a worked example computed by hand."""

from datetime import date
from decimal import Decimal

import pytest

from engine.saas import (
    METRIC_KEYS,
    csat_score,
    gross_revenue_churn,
    grr,
    logo_churn,
    ltv,
    monthly_metrics,
    next_month,
    nps_average,
    nps_score,
    nrr,
    onboarding_completion,
    revenue_movement,
)
from tests.engine.rosters import customer

MARCH = date(2024, 3, 1)


# --- logo churn ---------------------------------------------------------------------------


def churn_roster():
    # 10 customers signed in January; c0 is lost on 15 March.
    roster = [customer(f"c{i}", date(2024, 1, 10)) for i in range(10)]
    roster[0] = customer("c0", date(2024, 1, 10), date(2024, 3, 15))
    return roster + [
        customer("joined-and-left", date(2024, 3, 5), date(2024, 3, 20)),
        customer("new-in-march", date(2024, 3, 10)),
        customer("lost-in-february", date(2024, 1, 5), date(2024, 2, 10)),
        customer("signed-on-the-1st", date(2024, 3, 1)),
    ]


def test_logo_churn_excludes_customers_who_joined_and_left_in_the_month():
    # Active at 1 March: c0..c9 = 10 (lost-in-february is gone, March signers are new).
    # Lost in March among them: c0 = 1; joined-and-left is in neither count.
    # 1 / 10 = 10 %.
    metric = logo_churn(churn_roster(), MARCH)
    assert (metric.numerator, metric.denominator) == (1, 10)
    assert metric.value == pytest.approx(0.10)
    assert "1 joined and left" in metric.note


def test_customer_lost_on_the_first_of_the_month_counts_as_lost_that_month():
    # a is active at the start (signed in Jan, churn_date 1 March) and lost in March: 1 / 2.
    roster = [customer("a", date(2024, 1, 1), MARCH), customer("b", date(2024, 1, 1))]
    assert logo_churn(roster, MARCH).value == pytest.approx(0.5)
    assert logo_churn(roster, date(2024, 4, 1)).denominator == 1


def test_logo_churn_without_customers_is_undefined():
    metric = logo_churn([], MARCH)
    assert metric.value is None
    assert metric.note.startswith("undefined:")


def test_a_month_must_be_given_by_its_first_day():
    with pytest.raises(ValueError, match="first day"):
        logo_churn(churn_roster(), date(2024, 3, 15))


# --- revenue retention --------------------------------------------------------------------


def revenue_roster():
    # Changes dated 1 March (billed from March on) are March's movements.
    jan = date(2024, 1, 1)
    return [
        customer("flat", date(2024, 1, 10), mrr=Decimal(100)),
        customer("expands", date(2024, 1, 10), mrr_history={jan: Decimal(200), MARCH: Decimal(300)}),
        customer("shrinks", date(2024, 1, 10), mrr_history={jan: Decimal(300), MARCH: Decimal(250)}),
        customer("leaves", date(2024, 1, 10), date(2024, 3, 20), mrr=Decimal(400)),
        customer("new", date(2024, 3, 5), mrr=Decimal(500)),
    ]


def test_gross_revenue_churn_is_churned_plus_contraction_over_start_mrr():
    # Start MRR = 100 + 200 + 300 + 400 = 1000 (the March signer is not in the base).
    # Churned 400 ("leaves") + contraction 50 ("shrinks" 300 → 250) = 450.
    # 450 / 1000 = 45 %.
    metric = gross_revenue_churn(revenue_roster(), MARCH)
    assert (metric.numerator, metric.denominator) == (Decimal(450), Decimal(1000))
    assert metric.value == pytest.approx(0.45)


def test_grr_is_one_minus_gross_revenue_churn():
    # 1000 − 400 − 50 = 550 kept; 550 / 1000 = 55 %. Expansion (+100) is ignored.
    metric = grr(revenue_roster(), MARCH)
    assert metric.numerator == Decimal(550)
    assert metric.value == pytest.approx(0.55)


def test_nrr_adds_expansion_and_subtracts_contraction_and_churn():
    # (1000 + 100 − 50 − 400) / 1000 = 650 / 1000 = 65 %.
    metric = nrr(revenue_roster(), MARCH)
    assert (metric.numerator, metric.denominator) == (Decimal(650), Decimal(1000))
    assert metric.value == pytest.approx(0.65)


def test_grr_never_exceeds_100_percent_while_nrr_does():
    # a: 100 → 500 from March (+400 expansion), b: 100 flat. Start 200.
    # GRR = (200 − 0 − 0) / 200 = 100 %; NRR = (200 + 400) / 200 = 300 %.
    roster = [
        customer("a", date(2024, 1, 1), mrr_history={date(2024, 1, 1): 100, MARCH: 500}),
        customer("b", date(2024, 1, 1), mrr=Decimal(100)),
    ]
    assert grr(roster, MARCH).value == 1.0
    assert nrr(roster, MARCH).value == pytest.approx(3.0)


def test_revenue_retention_without_start_mrr_is_undefined():
    for metric in (gross_revenue_churn([], MARCH), grr([], MARCH), nrr([], MARCH)):
        assert metric.value is None
        assert metric.note == "undefined: no customers active at month start"
    free = [customer("free", date(2024, 1, 1))]
    assert nrr(free, MARCH).note == "undefined: no MRR at month start"


def test_mrr_history_carries_forward_and_holds_the_first_entry_before_it():
    record = customer(
        "a",
        date(2023, 12, 1),
        mrr=Decimal(80),
        mrr_history={date(2024, 1, 1): Decimal(100), date(2024, 3, 1): Decimal(150)},
    )
    assert record.mrr_at(date(2023, 12, 1)) == 100  # before any entry: the first one, not today's
    assert customer("b", date(2024, 1, 1), mrr=Decimal(80)).mrr_at(MARCH) == 80  # no history
    assert record.mrr_at(date(2024, 2, 1)) == 100  # carried forward from January
    assert record.mrr_at(date(2024, 5, 1)) == 150


def test_next_month_wraps_the_year():
    assert next_month(date(2024, 12, 1)) == date(2025, 1, 1)


# --- LTV ----------------------------------------------------------------------------------


def ltv_roster(churn_this_month=True):
    """Ten customers at 100 a month since June 2023; one left in January, one in March."""
    roster = [customer(f"c{i}", date(2023, 6, 15), mrr=Decimal(100)) for i in range(8)]
    roster.append(customer("jan", date(2023, 6, 15), date(2024, 1, 20), mrr=Decimal(100)))
    roster.append(customer("mar", date(2023, 6, 15), date(2024, 3, 10) if churn_this_month
                           else None, mrr=Decimal(100)))
    return roster


def test_ltv_is_arpa_over_the_six_months_average_churn_before_the_month():
    # September–February: churn 0, 0, 0, 0, 1/10 (January), 0 → average 1/60.
    # ARPA in March = 900 MRR / 9 customers = 100; LTV = 100 ÷ (1/60) = 6,000.
    metric = ltv(ltv_roster(), MARCH)
    assert metric.value == pytest.approx(6000.0)
    assert "revenue LTV" in metric.note
    # March's own churn is not in it: the same roster without it gives the same LTV.
    assert ltv(ltv_roster(churn_this_month=False), MARCH).value == pytest.approx(6000.0)
    # The gross-margin LTV is optional and says so: 100 × 0.8 ÷ (1/60) = 4,800.
    margin = ltv(ltv_roster(), MARCH, gross_margin=0.8)
    assert margin.value == pytest.approx(4800.0)
    assert "gross-margin LTV (margin 0.8)" in margin.note


def test_ltv_without_churn_in_the_six_months_before_is_undefined_even_with_churn_now():
    roster = [customer("a", date(2023, 1, 1), mrr=Decimal(100)),
              customer("b", date(2023, 1, 1), date(2024, 3, 5), mrr=Decimal(100))]
    metric = ltv(roster, MARCH)
    assert metric.value is None
    assert metric.note == "undefined: no churn in the 6 months before"


def test_ltv_refuses_a_margin_outside_zero_to_one():
    with pytest.raises(ValueError, match="gross_margin"):
        ltv(revenue_roster(), MARCH, gross_margin=80)


# --- onboarding completion ----------------------------------------------------------------


def onboarding_roster():
    return [
        # 19 days → on time.
        customer("d19", date(2024, 3, 1), onboarding_completed_on=date(2024, 3, 20)),
        # exactly 30 days (5 March → 4 April) → on time.
        customer("d30", date(2024, 3, 5), onboarding_completed_on=date(2024, 4, 4)),
        # 31 days → late.
        customer("d31", date(2024, 3, 10), onboarding_completed_on=date(2024, 4, 10)),
        # still in progress, window closed on 14 April → not completed.
        customer("open", date(2024, 3, 15), onboarding_status="in_progress"),
        # windows end 24 April and 30 April, after as_of 20 April → excluded.
        customer("fast-but-young", date(2024, 3, 25), onboarding_completed_on=date(2024, 3, 28)),
        customer("young", date(2024, 3, 31), onboarding_status="not_started"),
        # signed in February: another cohort.
        customer("february", date(2024, 2, 20), onboarding_status="complete"),
    ]


def test_onboarding_completion_counts_contracts_done_within_30_days():
    # Cohort = March contracts whose 30 days elapsed by 20 April: d19, d30, d31, open = 4.
    # On time: d19, d30 = 2. 2 / 4 = 50 %; 2 young contracts are excluded and noted.
    metric = onboarding_completion(onboarding_roster(), MARCH, as_of=date(2024, 4, 20))
    assert (metric.numerator, metric.denominator) == (2, 4)
    assert metric.value == pytest.approx(0.5)
    assert "2 contracts excluded" in metric.note


def test_roster_status_complete_without_a_date_counts_as_on_time():
    # a: "complete" (no date) → on time; b: "not_started" → not. 1 / 2 = 50 %.
    roster = [
        customer("a", date(2024, 3, 1), onboarding_status="complete"),
        customer("b", date(2024, 3, 2), onboarding_status="not_started"),
    ]
    metric = onboarding_completion(roster, MARCH, as_of=date(2024, 5, 1))
    assert metric.value == pytest.approx(0.5)
    assert "1 marked complete without a date" in metric.note


def test_onboarding_completion_is_undefined_when_no_window_has_elapsed():
    # The earliest March contract (1 March) closes its window on 31 March.
    metric = onboarding_completion(onboarding_roster(), MARCH, as_of=date(2024, 3, 30))
    assert metric.value is None
    assert metric.note.startswith("undefined: no window elapsed yet")
    assert onboarding_completion([], MARCH, as_of=date(2024, 5, 1)).value is None


# --- NPS and CSAT -------------------------------------------------------------------------


def test_nps_is_promoters_minus_detractors_in_percent():
    # Promoters (9–10): 10, 10, 9, 9, 9 = 5 → 50 %. Passives (7–8): 8, 7.
    # Detractors (0–6): 6, 2, 0 = 3 → 30 %. NPS = 50 − 30 = +20.
    scores = [10, 10, 9, 9, 9, 8, 7, 6, 2, 0]
    metric = nps_score(scores)
    assert metric.value == pytest.approx(20.0)
    assert (metric.numerator, metric.denominator) == (2, 10)
    assert metric.note == "5 promoters, 2 passives, 3 detractors"
    # Average: (10+10+9+9+9+8+7+6+2+0) / 10 = 70 / 10 = 7.0.
    assert nps_average(scores).value == pytest.approx(7.0)


def test_nps_runs_from_minus_100_to_plus_100():
    assert nps_score([9, 10, 10]).value == 100.0
    assert nps_score([0, 6, 3]).value == -100.0
    assert nps_score([7, 8]).value == 0.0
    assert nps_score([]).value is None
    assert nps_average([]).value is None


def test_csat_is_the_share_of_four_and_five():
    # 4–5 answers: 5, 4, 4, 5, 4 = 5 of 8 responses. 5 / 8 = 62.5 %.
    metric = csat_score([5, 4, 4, 3, 2, 5, 1, 4])
    assert (metric.numerator, metric.denominator) == (5, 8)
    assert metric.value == pytest.approx(0.625)
    assert csat_score([]).value is None


def test_survey_scores_outside_their_scale_are_refused():
    with pytest.raises(ValueError, match="NPS"):
        customer("a", date(2024, 1, 1), nps=11)
    with pytest.raises(ValueError, match="CSAT"):
        customer("a", date(2024, 1, 1), csat=0)
    with pytest.raises(ValueError, match="churn_date"):
        customer("a", date(2024, 1, 1), date(2023, 12, 31))
    with pytest.raises(ValueError, match="onboarding_status"):
        customer("a", date(2024, 1, 1), onboarding_status="done")


# --- the whole month ----------------------------------------------------------------------


def test_monthly_metrics_returns_every_metric_for_the_month():
    roster = revenue_roster() + [
        customer("promoter", date(2024, 2, 1), nps=10, csat=5, mrr=Decimal(0)),
        customer("detractor", date(2024, 2, 1), nps=3, csat=2, mrr=Decimal(0)),
        # Lost in February: not surveyed for March.
        customer("gone", date(2024, 1, 1), date(2024, 2, 10), nps=0, csat=1),
    ]
    metrics = monthly_metrics(roster, MARCH, as_of=date(2024, 6, 1))
    assert tuple(metrics) == METRIC_KEYS
    # Base: 4 revenue customers + 2 surveyed February signers = 6; 1 lost → 1/6.
    assert metrics["logo_churn"].value == pytest.approx(1 / 6)
    assert metrics["nrr"].value == pytest.approx(0.65)
    # Promoter 10 and detractor 3: 50 % − 50 % = 0; average (10 + 3) / 2 = 6.5.
    assert metrics["nps"].value == 0.0
    assert metrics["nps_average"].value == pytest.approx(6.5)
    # CSAT 5 and 2: 1 of 2 satisfied.
    assert metrics["csat"].value == pytest.approx(0.5)
    # February: "gone" left 1 of 5 (four January signers + "gone") → trailing churn 0.2
    # (September–January had nobody at their start). ARPA = 1000 / 6; LTV = 833.33.
    assert metrics["ltv"].value == pytest.approx(1000 / 6 / 0.2)


def test_monthly_metrics_with_no_customers_is_all_undefined():
    metrics = monthly_metrics([], MARCH)
    assert all(metric.value is None for metric in metrics.values())
    assert all(metric.note.startswith("undefined:") for metric in metrics.values())


# --- MRR movements by the book ------------------------------------------------------------

APRIL, MAY, JUNE = date(2024, 4, 1), date(2024, 5, 1), date(2024, 6, 1)


def test_months_before_the_first_history_row_do_not_take_todays_mrr():
    # Signed in December at 100; the first row says 100 from April; today it pays 60.
    record = customer("a", date(2023, 12, 1), mrr=Decimal(60),
                      mrr_history={APRIL: Decimal(100), JUNE: Decimal(60)})
    assert nrr([record], MARCH).value == pytest.approx(1.0)  # not 60 / 100
    assert nrr([record], JUNE).value == pytest.approx(0.6)


def test_a_downgrade_is_booked_in_the_month_it_takes_effect():
    record = customer("a", date(2024, 1, 10), mrr_history={date(2024, 1, 1): Decimal(300),
                                                            APRIL: Decimal(250)})
    assert nrr([record], MARCH).value == pytest.approx(1.0)
    april = revenue_movement([record], APRIL)
    assert (april.start_mrr, april.contraction) == (Decimal(300), Decimal(50))
    assert nrr([record], APRIL).value == pytest.approx(250 / 300)


def test_a_downgrade_to_zero_is_a_churned_logo():
    leaving = customer("a", date(2024, 1, 10), mrr_history={date(2024, 1, 1): Decimal(200),
                                                             MARCH: Decimal(0)})
    staying = customer("b", date(2024, 1, 10), mrr=Decimal(100))
    roster = [leaving, staying]
    assert logo_churn(roster, MARCH).value == pytest.approx(0.5)
    march = revenue_movement(roster, MARCH)
    assert (march.churned, march.contraction) == (Decimal(200), Decimal(0))
    # In April it is no longer in the base.
    assert logo_churn(roster, APRIL).numerator == 0 and logo_churn(roster, APRIL).denominator == 1


def test_a_customer_paying_again_is_a_reactivation_not_retention():
    record = customer("a", date(2024, 1, 10), mrr_history={
        date(2024, 1, 1): Decimal(200), MARCH: Decimal(0), MAY: Decimal(150)})
    other = customer("b", date(2024, 1, 10), mrr=Decimal(100))
    may = revenue_movement([record, other], MAY)
    assert (may.reactivation, may.reactivated) == (Decimal(150), 1)
    assert may.start_mrr == Decimal(100) and nrr([record, other], MAY).value == 1.0
    assert logo_churn([record, other], MAY).denominator == 1
    assert logo_churn([record, other], JUNE).denominator == 2  # back in the base


def test_a_months_nps_reads_the_answers_given_by_its_end():
    record = customer("a", date(2024, 1, 10), nps=3,
                      nps_answers={date(2024, 2, 20): 10, date(2024, 4, 5): 3})
    assert monthly_metrics([record], MARCH)["nps"].value == 100.0  # February's 10
    assert monthly_metrics([record], APRIL)["nps"].value == -100.0  # April's 3
    assert monthly_metrics([record], date(2024, 2, 1))["nps"].value == 100.0
    assert monthly_metrics([record], date(2024, 1, 1))["nps"].value is None  # not yet asked

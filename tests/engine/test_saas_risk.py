"""At-risk customers and onboarding cohorts, each checked against a worked example by hand."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from engine.saas_risk import AtRiskRules, Cohort, CohortGroup, at_risk, ltv_gap, onboarding_cohorts
from tests.engine.rosters import customer

# --- at-risk list -------------------------------------------------------------------------

TODAY = date(2024, 5, 1)


def risk_roster():
    recent = date(2024, 4, 30)
    return [
        customer("stuck", date(2024, 3, 1), onboarding_status="in_progress", last_login=recent),
        customer(
            "quiet", date(2024, 1, 10), onboarding_status="complete", last_login=date(2024, 3, 20)
        ),
        customer(
            "unhappy",
            date(2024, 1, 10),
            onboarding_status="complete",
            last_login=recent,
            nps=5,
            notes="価格が高いと言われた",
        ),
        customer("healthy", date(2024, 1, 10), onboarding_status="complete", last_login=recent),
        customer("already-gone", date(2024, 1, 10), date(2024, 4, 15), nps=0, notes="解約"),
        customer("brand-new", date(2024, 4, 25), onboarding_status="not_started"),
        customer("ghost", date(2024, 2, 1), onboarding_status="not_started"),
    ]


def test_at_risk_flags_each_rule_with_its_figures_most_reasons_first():
    flagged = dict(at_risk(risk_roster(), TODAY))
    # stuck: 1 March → 1 May = 61 days without finishing onboarding (limit 30).
    assert [(r.code, dict(r.params)) for r in flagged["stuck"]] == [
        ("onboarding_incomplete", {"days_since_contract": 61, "limit": 30})
    ]
    # quiet: last login 20 March → 1 May = 11 + 30 + 1 = 42 days.
    assert [(r.code, dict(r.params)) for r in flagged["quiet"]] == [
        ("no_recent_login", {"days_since_login": 42, "limit": 30})
    ]
    assert [(r.code, dict(r.params)) for r in flagged["unhappy"]] == [
        ("low_nps", {"nps": 5, "limit": 6}),
        ("note_words", {"words": ["高い"]}),
    ]
    # ghost: never logged in, 90 days since contract.
    assert [r.code for r in flagged["ghost"]] == ["onboarding_incomplete", "no_recent_login"]
    assert flagged["ghost"][1].params["days_since_login"] is None
    # healthy, churned and brand-new (6 days old) customers are not listed.
    assert [id for id, _ in at_risk(risk_roster(), TODAY)] == ["unhappy", "ghost", "stuck", "quiet"]


def test_at_risk_rules_are_tunable():
    rules = AtRiskRules(onboarding_days=None, no_login_days=45, nps_max=4, note_words=("価格",))
    flagged = dict(at_risk(risk_roster(), TODAY, rules))
    # 42 days < 45, NPS 5 > 4: only the note matches "価格"; ghost's 90 days ≥ 45.
    assert set(flagged) == {"unhappy", "ghost"}
    assert flagged["unhappy"][0].params == {"words": ["価格"]}


def test_at_risk_thresholds_are_inclusive_and_note_words_ignore_case():
    # Exactly 30 days since the last login, and an English note in capitals.
    roster = [
        customer(
            "a",
            date(2024, 1, 1),
            onboarding_status="complete",
            last_login=date(2024, 4, 1),
            notes="Wants to CANCEL",
        )
    ]
    [(_, reasons)] = at_risk(roster, TODAY)
    assert [r.code for r in reasons] == ["no_recent_login", "note_words"]
    assert reasons[0].params["days_since_login"] == 30
    assert at_risk([], TODAY) == []


# --- onboarding → churn → LTV -------------------------------------------------------------

AS_OF = date(2024, 6, 30)


def cohort_roster():
    return [
        # January: 3 on time (1 lost), 2 not (both lost).
        customer("a1", date(2024, 1, 5), onboarding_completed_on=date(2024, 1, 20)),
        customer("a2", date(2024, 1, 10), date(2024, 5, 1), onboarding_status="complete"),
        customer("a3", date(2024, 1, 15), onboarding_completed_on=date(2024, 1, 30)),
        customer(
            "a4", date(2024, 1, 20), date(2024, 4, 1), onboarding_completed_on=date(2024, 3, 15)
        ),
        customer("a5", date(2024, 1, 25), date(2024, 3, 1), onboarding_status="not_started"),
        # February: 1 on time, 1 not, nobody lost.
        customer("b1", date(2024, 2, 1), onboarding_completed_on=date(2024, 2, 10)),
        customer("b2", date(2024, 2, 5), onboarding_status="in_progress"),
        # June: window ends 15 July, after as_of → pending.
        customer("c1", date(2024, 6, 15), onboarding_status="complete"),
        # July: after as_of, ignored.
        customer("d1", date(2024, 7, 1)),
    ]


def test_onboarding_cohorts_split_churn_by_onboarding_on_time():
    cohorts = onboarding_cohorts(cohort_roster(), AS_OF)
    assert cohorts == [
        # January: on time a1, a2, a3 → 1 lost of 3; late/never a4, a5 → 2 of 2.
        Cohort(date(2024, 1, 1), CohortGroup(3, 1, 1 / 3), CohortGroup(2, 2, 1.0)),
        Cohort(date(2024, 2, 1), CohortGroup(1, 0, 0.0), CohortGroup(1, 0, 0.0)),
        Cohort(date(2024, 6, 1), CohortGroup(0, 0, None), CohortGroup(0, 0, None), pending=1),
    ]


def test_ltv_gap_shows_what_onboarding_is_worth():
    gap = ltv_gap([replace(r, mrr=Decimal(100)) for r in cohort_roster()], AS_OF)
    # Customer-months (contract month → churn month or June):
    #   on time: a1 Jan→Jun 5, a2 Jan→May 4, a3 5, b1 Feb→Jun 4 = 18; 1 lost → churn 1/18.
    #   not:     a4 Jan→Apr 3, a5 Jan→Mar 2, b2 Feb→Jun 4 = 9; 2 lost → churn 2/9.
    # ARPA = 100 for all; margin per month = 100 × 0.8 = 80.
    # LTV on time = 80 / (1/18) = 1440; not = 80 / (2/9) = 360; gap = 1080.
    assert gap.arpa == pytest.approx(100.0)
    assert (gap.completed.customer_months, gap.completed.churned) == (18, 1)
    assert (gap.not_completed.customer_months, gap.not_completed.churned) == (9, 2)
    assert gap.completed.monthly_churn == pytest.approx(1 / 18)
    assert gap.completed.ltv == pytest.approx(1440.0)
    assert gap.not_completed.ltv == pytest.approx(360.0)
    assert gap.difference == pytest.approx(1080.0)
    assert "1 customers excluded" in gap.note


def test_ltv_gap_is_undefined_for_a_segment_without_churn_or_customers():
    roster = [customer("a", date(2024, 1, 1), onboarding_status="complete", mrr=Decimal(50))]
    gap = ltv_gap(roster, AS_OF)
    assert gap.completed.ltv is None and gap.not_completed.ltv is None
    assert gap.difference is None
    assert "undefined: completed LTV (no churn)" in gap.note
    assert "undefined: not completed LTV (no customers)" in gap.note
    empty = ltv_gap([], AS_OF)
    assert empty.arpa is None and empty.difference is None

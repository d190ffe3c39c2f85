"""The KGI outlook: forecasts pushed through the tree to a probability (metrics.analytics)."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from metrics.analytics import OutlookUnavailable, kgi_outlook
from metrics.analytics.what_if import what_if_pack, what_if_simulate, what_if_unpack
from metrics.models import Measurement
from tests.metrics.analytics.shop import build_shop, month_after_data

pytestmark = pytest.mark.django_db
AS_OF = month_after_data()


def test_a_target_well_below_the_current_level_is_almost_certain():
    company, _kgi, _ = build_shop(target=0.7 * 4.35 * 10_000 * 2.0 / 100)
    outlook = kgi_outlook(company, as_of=AS_OF, draws=4000)
    assert outlook.probability > 0.95
    assert outlook.p10 < outlook.p50 < outlook.p90


def test_a_target_far_above_the_current_level_is_unlikely():
    company, _kgi, _ = build_shop(target=1.6 * 4.35 * 10_000 * 2.0 / 100)
    outlook = kgi_outlook(company, as_of=AS_OF, draws=4000)
    assert outlook.probability < 0.05


def test_growth_in_a_leaf_raises_the_probability_of_the_same_target():
    flat, _kgi, _ = build_shop(slug="flat", target=4.35 * 10_000 * 2.0 / 100 * 1.1)
    growing, _kgi, _ = build_shop(slug="growing", growth=0.004,
                                  target=4.35 * 10_000 * 2.0 / 100 * 1.1)
    assert (kgi_outlook(growing, as_of=AS_OF, draws=4000).probability
            > kgi_outlook(flat, as_of=AS_OF, draws=4000).probability + 0.2)


def test_the_deadline_value_is_the_monthly_sum_of_weekly_visits_times_average_cvr():
    company, _kgi, _ = build_shop()
    outlook = kgi_outlook(company, as_of=AS_OF, draws=4000)
    # December counts its 31 days of weekly visits (4 3/7 weeks), not its 4 Mondays:
    # about 31/7 × 10,000 × 2 % = 886 orders.
    assert 820 < outlook.p50 < 950
    assert outlook.leaves["cvr"].mean == pytest.approx(0.02, rel=0.1)  # percent as a fraction


def test_only_numbers_of_periods_before_the_month_are_read():
    company, _kgi, kpis = build_shop()
    before = kgi_outlook(company, as_of=AS_OF, draws=2000)
    Measurement.objects.create(company=company, kpi=kpis["visits"], period_start=AS_OF,
                               value=Decimal(10_000_000))
    after = kgi_outlook(company, as_of=AS_OF, draws=2000)
    assert after.probability == before.probability
    assert after.fingerprint == before.fingerprint
    Measurement.objects.filter(kpi=kpis["visits"], period_start__lt=AS_OF).order_by(
        "-period_start").first().delete()
    assert kgi_outlook(company, as_of=AS_OF, draws=2000).fingerprint != before.fingerprint


def test_a_leaf_without_numbers_is_named_in_the_refusal():
    company, _kgi, kpis = build_shop()
    Measurement.objects.filter(kpi=kpis["cvr"]).delete()
    with pytest.raises(OutlookUnavailable, match="(購入率|Conversion rate)"):
        kgi_outlook(company, as_of=AS_OF)


def test_a_kgi_whose_deadline_has_passed_is_not_forecast():
    company, kgi, _ = build_shop()
    kgi.deadline = AS_OF - timedelta(days=40)
    kgi.save()
    with pytest.raises(OutlookUnavailable):
        kgi_outlook(company, as_of=AS_OF)


def test_campaign_weeks_do_not_lift_the_forecast():
    from metrics.models import Campaign

    plain, _k, _ = build_shop(slug="plain")
    lifted, _k, kpis = build_shop(slug="lifted")
    last = Measurement.objects.filter(kpi=kpis["visits"]).order_by("-period_start")[:3]
    days = [m.period_start for m in last]
    Measurement.objects.filter(kpi=kpis["visits"], period_start__in=days).update(value=40_000)
    raw = kgi_outlook(lifted, as_of=AS_OF, draws=2000).p50
    campaign = Campaign.objects.create(company=lifted, name="Sale", start=min(days),
                                       end=max(days) + timedelta(days=6))
    campaign.kpis.set([kpis["visits"]])
    excluded = kgi_outlook(lifted, as_of=AS_OF, draws=2000).p50
    reference = kgi_outlook(plain, as_of=AS_OF, draws=2000).p50
    assert raw > 1.3 * reference
    assert excluded == pytest.approx(reference, rel=0.1)


def test_what_if_a_better_cvr_raises_the_probability_and_moves_are_capped_at_30_percent():
    company, _kgi, _ = build_shop(target=4.35 * 10_000 * 2.0 / 100 * 1.05)
    outlook = kgi_outlook(company, as_of=AS_OF, draws=10_000)
    leaves = {c: {"mean": leaf.mean, "sigma": leaf.sigma, "positive": leaf.positive}
              for c, leaf in outlook.leaves.items()}
    inputs = what_if_unpack(what_if_pack(
        leaves_payload=leaves, correlation=outlook.correlation, root=outlook.root,
        formulas=outlook.formulas, kgi_unit=outlook.root.unit))
    args = {"target": float(outlook.kgi.target), "draws": outlook.draws, "seed": outlook.seed}
    baseline = what_if_simulate(inputs, shifts_pct={}, **args)
    assert baseline.probability == outlook.probability
    assert (baseline.p10, baseline.p50, baseline.p90) == (outlook.p10, outlook.p50, outlook.p90)
    better = what_if_simulate(inputs, shifts_pct={"cvr": 10}, **args)
    assert better.probability > baseline.probability + 0.1
    assert better.p50 == pytest.approx(baseline.p50 * 1.10, rel=0.01)
    capped = what_if_simulate(inputs, shifts_pct={"cvr": 500}, **args)
    assert capped.p50 == pytest.approx(baseline.p50 * 1.30, rel=0.01)
    assert what_if_simulate(inputs, shifts_pct={"unknown": 20}, **args).probability \
        == baseline.probability


def test_the_sensitivity_ranking_names_every_leaf_with_its_direction():
    company, _kgi, _ = build_shop(target=4.35 * 10_000 * 2.0 / 100 * 1.05)
    outlook = kgi_outlook(company, as_of=AS_OF, draws=4000)
    assert {s["code"] for s in outlook.sensitivity} == {"visits", "cvr"}
    assert all(s["delta_pp"] > 0 for s in outlook.sensitivity)


def test_a_five_monday_month_counts_its_days_not_its_mondays():
    # The same flat shop with its deadline in November 2026 (30 days, 5 Mondays) and in
    # December 2026 (31 days, 4 Mondays): by days November holds 30/31 of December.
    nov, _kgi, _ = build_shop(slug="nov", deadline=date(2026, 11, 30))
    dec, _kgi, _ = build_shop(slug="dec", deadline=date(2026, 12, 31))
    p50_nov = kgi_outlook(nov, as_of=AS_OF, draws=4000).p50
    p50_dec = kgi_outlook(dec, as_of=AS_OF, draws=4000).p50
    assert p50_nov / p50_dec == pytest.approx(30 / 31, abs=0.03)


def test_a_week_straddling_two_months_counts_by_its_days_in_each():
    from core.calendar import subperiod_weights

    october = subperiod_weights(date(2026, 10, 1), "monthly", "weekly")
    # Monday 28 September has 4 of its 7 days in October; Monday 26 October 6 of 7.
    assert october[0] == (date(2026, 9, 28), pytest.approx(4 / 7))
    assert october[-1] == (date(2026, 10, 26), pytest.approx(6 / 7))
    assert sum(w for _d, w in october) == pytest.approx(31 / 7)

"""engine.phasing: flat, seasonal and ramp splits add up (or average) to the target."""
import pytest

from engine.phasing import PhasingError, phase, weights


def test_flat_splits_a_sum_evenly_and_the_remainder_goes_to_the_last_month():
    months = phase(1_000_000, weights("flat", 12))
    assert months[:11] == [83_333] * 11 and months[11] == 83_337
    assert sum(months) == 1_000_000


def test_seasonal_follows_last_years_profile():
    profile = [10, 10, 20, 10, 10, 10, 10, 10, 10, 10, 10, 60]
    months = phase(1_800, weights("seasonal", 12, profile))
    assert months[2] == 2 * months[0] and months[11] == 6 * months[0] and sum(months) == 1_800


def test_a_ramp_rises_in_a_straight_line_to_the_stated_lift():
    months = phase(1_200_000, weights("ramp", 12, ramp=0.5))
    assert months[11] / months[0] == pytest.approx(1.5, rel=1e-3)
    steps = {round(b - a) for a, b in zip(months, months[1:], strict=False)}
    assert max(steps) - min(steps) <= 2 and sum(months) == 1_200_000


def test_an_average_kpi_averages_to_the_value_instead_of_adding_up():
    months = phase(2.0, weights("ramp", 12, ramp=0.2), summed=False, decimals=4)
    assert sum(months) / 12 == pytest.approx(2.0, abs=1e-3) and months[0] < 2.0 < months[-1]
    assert phase(2.0, weights("flat", 12), summed=False, decimals=2) == [2.0] * 12


@pytest.mark.parametrize(("rule", "profile", "ramp", "code", "months"), [
    ("seasonal", [1.0] * 10 + [None, None], 0, "no_profile", [10, 11]),
    ("seasonal", [0.0] * 12, 0, "zero_profile", []),
    ("ramp", None, -1.0, "bad_ramp", []),
    ("weekly", None, 0, "bad_rule", []),
])
def test_what_cannot_be_phased_is_named(rule, profile, ramp, code, months):
    with pytest.raises(PhasingError) as problem:
        weights(rule, 12, profile, ramp)
    assert problem.value.code == code and problem.value.months == months

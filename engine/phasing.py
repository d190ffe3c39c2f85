"""Phasing: a yearly (or any multi-month) target split into a monthly series. Pure.

Three stated rules, each a list of month weights:

- ``flat``: every month the same;
- ``seasonal``: in proportion to the same months of last year (the profile);
- ``ramp``: a straight line from the first month to the last, the last ``ramp`` (a
  fraction, 0.5 = +50 %) above the first.

A summed KPI's months add up to the total exactly (the rounding remainder goes to the last
month); an average or a level KPI's months average to the value instead, so a flat plan of
a 2.0 % rate is 2.0 % every month.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

RULES = ("flat", "seasonal", "ramp")


class PhasingError(ValueError):
    """The series cannot be phased; ``code`` names why, ``months`` the months at fault."""

    def __init__(self, code: str, months: Sequence[int] = ()):
        super().__init__(code)
        self.code = code
        self.months = list(months)


def weights(rule: str, months: int, profile: Sequence[float | None] | None = None,
            ramp: float = 0.0) -> list[float]:
    """The month weights of ``rule`` (non-negative, not all zero), one per month."""
    if months < 1:
        raise PhasingError("no_months")
    if rule == "flat":
        return [1.0] * months
    if rule == "ramp":
        if not math.isfinite(ramp) or ramp <= -1:
            raise PhasingError("bad_ramp")
        if months == 1:
            return [1.0]
        return [1.0 + ramp * i / (months - 1) for i in range(months)]
    if rule == "seasonal":
        profile = list(profile or [])
        if len(profile) != months:
            raise PhasingError("no_profile", range(len(profile), months))
        missing = [i for i, v in enumerate(profile)
                   if v is None or not math.isfinite(v) or v < 0]
        if missing:
            raise PhasingError("no_profile", missing)
        if not sum(profile):
            raise PhasingError("zero_profile")
        return [float(v) for v in profile]
    raise PhasingError("bad_rule")


def phase(total: float, month_weights: Sequence[float], summed: bool = True,
          decimals: int = 0) -> list[float]:
    """Split ``total`` by the weights: the months add up to it (``summed``) or average to it.

    Values are rounded to ``decimals``; for a sum the remainder goes to the last month, so
    the series adds up to the rounded total exactly.
    """
    w = [float(x) for x in month_weights]
    scale = sum(w) if summed else sum(w) / len(w)
    if not w or not scale:
        raise PhasingError("zero_profile")
    values = [round(total * x / scale, decimals) for x in w]
    if summed:
        values[-1] = round(round(total, decimals) - sum(values[:-1]), decimals)
    return values

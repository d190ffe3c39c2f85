"""The engine's notes on a customer-success figure, in the reader's language.

engine/saas.py is pure Python and writes its notes ("undefined: no NPS responses",
"expansion 47500 not counted", …) in fixed English, joined by "; ". Each known shape is
matched here and rendered through gettext; an unknown one passes through unchanged (the
Japanese page check in tests/kgiapp/test_japanese_pages.py catches it).
"""
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

N = r"(-?[\d.]+(?:[eE][-+]?\d+)?)"

REASONS = {
    "no customers active at month start": gettext_lazy("no customers active at month start"),
    "no MRR at month start": gettext_lazy("no MRR at month start"),
    "no churn this month": gettext_lazy("no churn this month"),
    "no churn in the 6 months before": gettext_lazy(
        "no churn in the six months before this one"),
    "no contracts signed in the month": gettext_lazy("no contracts signed in the month"),
    "no window elapsed yet": gettext_lazy("no onboarding window has elapsed yet"),
    "no NPS responses": gettext_lazy("no NPS responses"),
    "no CSAT responses": gettext_lazy("no CSAT responses"),
    "completed LTV (no customers)": gettext_lazy("LTV of onboarded customers (no customers)"),
    "completed LTV (no churn)": gettext_lazy("LTV of onboarded customers (no churn)"),
    "not completed LTV (no customers)": gettext_lazy(
        "LTV of customers not onboarded (no customers)"),
    "not completed LTV (no churn)": gettext_lazy("LTV of customers not onboarded (no churn)"),
}

# (pattern, message with %(a)s, %(b)s, … for the groups in order)
SHAPES = [
    (rf"{N} joined and left within the month, excluded",
     gettext_lazy("%(a)s customers joined and left within the month and are left out")),
    (rf"expansion {N} not counted", gettext_lazy("expansion %(a)s is not counted")),
    (rf"churned {N}, contraction {N}", gettext_lazy("churned MRR %(a)s, contraction %(b)s")),
    (rf"expansion {N}, contraction {N}, churned {N}",
     gettext_lazy("expansion %(a)s, contraction %(b)s, churned MRR %(c)s")),
    (rf"revenue LTV: ARPA {N} ÷ 6-month average churn {N}",
     gettext_lazy("revenue LTV: ARPA %(a)s ÷ average churn of the six months before %(b)s")),
    (rf"gross-margin LTV \(margin {N}\): ARPA {N} ÷ 6-month average churn {N}",
     gettext_lazy("gross-margin LTV (margin %(a)s): ARPA %(b)s ÷ average churn of the six "
                  "months before %(c)s")),
    (rf"ARPA {N} × margin {N} ÷ churn {N}",
     gettext_lazy("ARPA %(a)s × gross margin %(b)s ÷ churn rate %(c)s")),
    (rf"{N} contracts excluded: {N}-day window not yet elapsed",
     gettext_lazy("%(a)s contracts left out: their %(b)s-day onboarding window has not ended")),
    (rf"{N} customers excluded: {N}-day window not yet elapsed",
     gettext_lazy("%(a)s customers left out: their %(b)s-day onboarding window has not ended")),
    (rf"{N} marked complete without a date, counted as on time",
     gettext_lazy("%(a)s marked complete without a date, counted as on time")),
    (rf"{N} promoters, {N} passives, {N} detractors",
     gettext_lazy("%(a)s promoters, %(b)s passives, %(c)s detractors")),
]


def _number(text):
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}" if abs(value) >= 1 else f"{value:.4g}"


def _one(part: str) -> str:
    part = part.strip()
    if part.startswith("undefined: "):
        reason = part.removeprefix("undefined: ")
        if reason in REASONS:
            return _("undefined: %(reason)s") % {"reason": REASONS[reason]}
        return part
    for pattern, message in SHAPES:
        match = re.fullmatch(pattern, part)
        if match:
            values = dict(zip("abc", (_number(g) for g in match.groups()), strict=False))
            return str(message) % values
    return part


def explain(note: str) -> str:
    """``note`` from the engine, each "; "-separated part in the active language."""
    if not note:
        return ""
    return _("; ").join(_one(part) for part in note.split("; "))

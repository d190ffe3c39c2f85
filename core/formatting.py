"""Numbers for people: JPY as ¥83,000,000 or ¥8,300万 / 8,300万円, percents, hours."""
from decimal import Decimal, InvalidOperation

from django.utils import translation

UNIT_SUFFIX = {"days": " d", "hours": " h"}


def _to_decimal(value):
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _group(number: Decimal, places: int) -> str:
    text = f"{number:,.{places}f}"
    # -0.3 shown without decimals is 0, never "-0".
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text


def format_jpy(value, compact=False, language=None) -> str:
    """¥83,000,000; compact: ¥8,300万 / ¥3.2万 (Japanese) or ¥83M / ¥32.3k (English)."""
    number = _to_decimal(value)
    if number is None:
        return "—"
    sign = "-" if number < 0 and _group(number, 0) != "0" else ""
    number = abs(number)
    if not compact or number < 10_000:
        return f"{sign}¥{_group(number, 0)}"
    language = language or translation.get_language() or "ja"
    if language.startswith("ja"):
        if number >= 99_995_000:  # what would round to ¥10,000万 reads ¥1億
            return f"{sign}¥{_trim(number / 100_000_000, 2)}億"
        if number < 1_000_000:  # ¥3.2万, not ¥3万 for 32,288
            return f"{sign}¥{_trim(number / 10_000, 1)}万"
        return f"{sign}¥{_group((number / 10_000).quantize(Decimal('1')), 0)}万"
    if number >= 1_000_000_000:
        return f"{sign}¥{_trim(number / 1_000_000_000, 2)}B"
    if number >= 999_950:  # what would round to ¥1,000.0k reads ¥1M
        return f"{sign}¥{_trim(number / 1_000_000, 1)}M"
    return f"{sign}¥{_trim(number / 1_000, 1)}k"


def format_man_yen(value) -> str:
    """8,300万円 — the way Japanese reports write large yen amounts."""
    number = _to_decimal(value)
    if number is None:
        return "—"
    if abs(number) >= 99_995_000:  # not 10,000万円
        return f"{_trim(number / 100_000_000, 2)}億円"
    return f"{_group((number / 10_000).quantize(Decimal('1')), 0)}万円"


def _trim(number: Decimal, places: int) -> str:
    text = _group(number, places)
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_value(value, unit, compact=False) -> str:
    """A KPI value in its unit: JPY, percent (2.0 %), count, ratio, days, hours, score."""
    number = _to_decimal(value)
    if number is None:
        return "—"
    if unit == "JPY":
        return format_jpy(number, compact=compact)
    if unit == "percent":
        return f"{_group(number, 1)} %"
    if unit == "count":
        if compact and abs(number) >= 10_000:
            return format_jpy(number, compact=True).replace("¥", "")
        return _group(number, 0)
    if unit == "ratio":
        return _trim(number, 3)
    if unit in UNIT_SUFFIX:
        return f"{_trim(number, 1)}{UNIT_SUFFIX[unit]}"
    return _trim(number, 1)


def format_card_value(value, unit) -> str:
    """A KPI value on a card: yen compact (¥8,300万), every other unit in full (31,234)."""
    return format_value(value, unit, compact=unit == "JPY")


def format_change(value, unit) -> str:
    """A signed change: +3.2 % (relative) or −0.3 pt (percentage points); — when unknown."""
    number = _to_decimal(value)
    if number is None:
        return "—"
    shown = _group(abs(number), 1)
    sign = "±" if not shown.strip("0.,") else ("+" if number > 0 else "−")
    return f"{sign}{shown} {unit}".rstrip()


# Sparklines are drawn in this box and stretched to the size a page asks for (the SVG says
# preserveAspectRatio="none"), so one set of points serves every card and table.
SPARK_BOX = (100, 30)


def sparkline_svg(values, width=96, height=24, css_class="sparkline"):
    """An inline SVG polyline of the values (no JavaScript, CSP-safe); None gaps are skipped
    ({% sparkline %}, the North Star)."""
    from django.utils.html import format_html

    points = spark_points(values)
    box_w, box_h = SPARK_BOX
    if not points:
        return format_html('<svg class="{}" width="{}" height="{}" aria-hidden="true"></svg>',
                           css_class, width, height)
    return format_html(
        '<svg class="{}" width="{}" height="{}" viewBox="0 0 {} {}" preserveAspectRatio="none"'
        ' aria-hidden="true"><polyline fill="none" stroke="currentColor" stroke-width="1.5"'
        ' vector-effect="non-scaling-stroke" points="{}"/></svg>',
        css_class, width, height, box_w, box_h, points,
    )


def spark_points(values) -> str:
    """SVG polyline points of the values in the SPARK_BOX; "" when fewer than two numbers."""
    points = [float(v) for v in values if v is not None]
    if len(points) < 2:
        return ""
    width, height = SPARK_BOX
    low, high = min(points), max(points)
    span = (high - low) or 1.0
    step = (width - 2) / (len(points) - 1)
    return " ".join(
        f"{1 + i * step:.1f},{height - 2 - (p - low) / span * (height - 4):.1f}"
        for i, p in enumerate(points)
    )

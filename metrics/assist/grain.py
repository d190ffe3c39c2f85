"""The KGI's grain (the period one value of it covers) and formulas rescaled to it.

A "月間売上" KGI is monthly; "年商12億円" or "ARR" is annual. Words in the KGI's name and its
KPI's names decide; without any, the KPI's cadence does. A template written at an annual
grain carries an explicit period factor (``… * 12 * …``); rescaling to a monthly KGI drops
it, to a quarterly one turns it into ``3``. Formulas without such a factor are left alone:
their inputs are aggregated over the KGI's own period.
"""
import re
import unicodedata

GRAINS = ("daily", "weekly", "monthly", "quarterly", "annual")
MONTHS = {"daily": 12 / 365, "weekly": 12 / 52, "monthly": 1.0, "quarterly": 3.0,
          "annual": 12.0}

# Most specific first; Latin words must stand alone.
_WORDS = (
    ("annual", ("年商", "年間", "年次", "通期", "年度売上", "年売上", "annual", "yearly",
                "per year", "/年", "arr")),
    ("quarterly", ("四半期", "quarterly", "quarter", "/四半期")),
    ("monthly", ("月間", "月次", "月商", "毎月", "月額", "monthly", "per month", "/月", "mrr")),
    ("weekly", ("週間", "週次", "毎週", "weekly", "per week", "/週")),
    ("daily", ("日次", "日間", "毎日", "daily", "per day", "/日")),
)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def _has(word: str, text: str) -> bool:
    if word.isascii() and word[0].isalpha():
        return re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", text) is not None
    return word in text


def grain_words(text: str) -> str | None:
    """The grain the words of ``text`` name, or None."""
    text = _fold(text)
    for grain, words in _WORDS:
        if any(_has(w, text) for w in words):
            return grain
    return None


def kgi_grain(*, name: str, kpi_names=(), cadence: str = "monthly") -> str:
    """The KGI's grain: its name's words, else its KPI's names, else the KPI's cadence."""
    for text in (name, *kpi_names):
        grain = grain_words(text)
        if grain:
            return grain
    return cadence if cadence in GRAINS else "monthly"


def _factors(formula: str):
    """Top-level ``*``/``/`` factors of ``formula`` as (operator, text), or None if not a product."""
    depth, start, parts, op = 0, 0, [], "*"
    text = formula.strip()
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and ch in "*/":
            parts.append((op, text[start:i].strip()))
            op, start = ch, i + 1
        elif depth == 0 and ch in "+-" and text[start:i].strip():
            return None  # a sum at the top level: no single period factor
    parts.append((op, text[start:].strip()))
    return parts


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def rescale_formula(formula: str, source: str, target: str) -> tuple[str, float | None]:
    """``formula`` written at grain ``source`` rewritten for grain ``target``.

    Returns the new formula and the period factor that was changed (None: nothing changed).
    Only an explicit multiplying factor equal to the period ratio is touched.
    """
    if source == target or source not in MONTHS or target not in MONTHS:
        return formula, None
    parts = _factors(formula)
    if not parts:
        return formula, None
    for index, (op, text) in enumerate(parts):
        value = _number(text)
        if op != "*" or value is None or value <= 1:
            continue
        if abs(value - MONTHS[source]) > 1e-9 and abs(value - MONTHS[source] * 52 / 12) > 1e-9:
            continue
        new = value * MONTHS[target] / MONTHS[source]
        rest = [p for i, p in enumerate(parts) if i != index]
        if abs(new - 1) > 1e-9:
            rest.insert(index, ("*", f"{new:.4g}"))
        if not rest:
            return formula, None
        if rest[0][0] == "/":
            rest.insert(0, ("*", "1"))
        out = rest[0][1] + "".join(f" {o} {t}" for o, t in rest[1:])
        return out, value
    return formula, None

"""A draft meets the company's KPIs: reuse one that means the same before inventing a new one.

Two KPIs mean the same when, once period words (月間, weekly, …) and brackets are set
aside, their codes or names coincide (``monthly_uu`` 「月間UU」 is the company's ``uu``
「UU」), or their names are nearly the same text; and their units agree. Among several, the
one with the draft's cadence wins, then the closest name, then the code. The draft's
formulas are rewritten to the reused code and the draft KPIs only the replaced one needed
are dropped, so nothing unlinked is created.
"""
import re
import unicodedata
from dataclasses import replace
from difflib import SequenceMatcher

from django.utils.translation import gettext as _

from engine.formula import parse_formula
from engine.tree import reachable

_PERIOD_WORDS = ("月間", "週間", "月次", "週次", "日次", "年間", "毎月", "毎週", "monthly",
                 "weekly", "daily", "annual", "yearly", "average", "avg")
_CODE_AFFIXES = re.compile(r"^(monthly|weekly|daily|annual|yearly|m|w|d|avg)_|"
                           r"_(monthly|weekly|daily|annual|yearly|m|w|d)$")
_BRACKETS = re.compile(r"[（(]([^）)]*)[）)]")
_SPACE = re.compile(r"[\s・/_\-]+")
FUZZY = 0.84


def _fold(text):
    return unicodedata.normalize("NFKC", text or "").lower()


def _strip_period(text):
    for word in _PERIOD_WORDS:
        text = text.replace(word, " ")
    return _SPACE.sub("", text)


def meaning_keys(code, name_ja, name_en) -> set:
    """The texts under which a KPI is known, with period words and brackets set aside."""
    keys = {_CODE_AFFIXES.sub("", code)}
    for name in (name_ja, name_en):
        name = _fold(name)
        for alias in _BRACKETS.findall(name):
            keys.add(_strip_period(alias))
        keys.add(_strip_period(_BRACKETS.sub(" ", name)))
    return {k.replace("_", "") for k in keys if k}


def _similarity(spec, kpi) -> float:
    a, b = meaning_keys(spec.code, spec.name_ja, spec.name_en), meaning_keys(
        kpi.code, kpi.name_ja, kpi.name_en)
    if a & b:
        return 1.0
    return max(SequenceMatcher(None, x, y).ratio() for x in a for y in b)


def best_match(spec, kpis, *, taken=()):
    """The company KPI that means what ``spec`` means (same unit), or None."""
    scored = []
    for kpi in kpis:
        if kpi.code in taken or kpi.unit != spec.unit:
            continue
        score = _similarity(spec, kpi)
        if score >= FUZZY:
            scored.append((kpi.cadence != spec.cadence, -score, kpi.code, kpi))
    scored.sort(key=lambda row: row[:3])
    return scored[0][3] if scored else None


def _rename(formula, old, new):
    return re.sub(rf"(?<![a-z0-9_]){re.escape(old)}(?![a-z0-9_])", new, formula or "")


def reuse_existing(draft, kpis):
    """The draft with the company's KPIs in place of new ones that mean the same.

    ``kpis`` are the company's KPIs. Returns a new TreeDraft whose ``reasons`` say what
    was reused and what was dropped as no longer needed.
    """
    by_code = {k.code: k for k in kpis}
    taken = {draft.root_code} | {s.code for s in draft.kpis}
    reasons = dict(draft.reasons)
    renames = {}
    for spec in draft.kpis:
        if spec.code in by_code:
            continue
        match = best_match(spec, kpis, taken=taken)
        if match is None:
            continue
        renames[spec.code] = match.code
        taken.add(match.code)
        reasons[match.code] = _(
            "Reuses your KPI “%(name)s” (%(code)s) instead of creating “%(draft)s”: same "
            "meaning, same unit.") % {"name": match.name_ja or match.name_en,
                                       "code": match.code, "draft": spec.name_ja}
    if not renames:
        return draft
    def formulas_of(root_formula, specs):
        formulas = {code: parse_formula(k.formula) for code, k in by_code.items() if k.formula}
        formulas.update({s.code: parse_formula(s.formula) for s in specs if s.formula})
        formulas[draft.root_code] = parse_formula(root_formula)
        return formulas

    linked_before = reachable(draft.root_code, formulas_of(draft.root_formula, draft.kpis))
    root_formula = draft.root_formula
    for old, new in renames.items():
        root_formula = _rename(root_formula, old, new)
    specs = []
    for spec in draft.kpis:
        if spec.code in renames:
            continue
        formula = spec.formula
        for old, new in renames.items():
            formula = _rename(formula, old, new)
        specs.append(replace(spec, formula=formula))
    # Draft KPIs that only fed a replaced one are not needed any more.
    linked = reachable(draft.root_code, formulas_of(root_formula, specs))
    dropped = [s for s in specs if s.code in linked_before and s.code not in linked]
    kept = [s for s in specs if s not in dropped]
    if dropped:
        reasons[draft.root_code] = " ".join(filter(None, [reasons.get(draft.root_code), _(
            "Not needed because an existing KPI already covers them: %(names)s.")
            % {"names": "、".join(s.name_ja for s in dropped)}]))
    return replace(draft, root_formula=root_formula, kpis=tuple(kept), reasons=reasons)

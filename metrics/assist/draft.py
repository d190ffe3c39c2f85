"""The shape of a KPI tree draft and its strict validation (shape, codes, formulas; never eval).

A payload is the JSON object a provider answers with::

    {"root_formula": "uu * cvr * aov",
     "kpis": [{"code": "uu", "name_ja": "月間UU", "name_en": "Monthly unique users",
               "unit": "count", "direction": "higher", "kind": "leading",
               "phase": "acquisition", "cadence": "weekly", "formula": ""}, ...]}

``aggregation`` is optional per KPI. Anything else is refused with a sentence that says where.
"""
from dataclasses import asdict, dataclass, field, fields

from django.utils.translation import gettext as _

from engine.formula import CODE_PATTERN, FormulaError, parse_formula
from metrics.assist import AssistError
from metrics.catalog.templates import KpiDefinition
from metrics.formula_messages import formula_error_message
from metrics.models import Aggregation, Cadence, Direction, Kind, Phase, Unit

MAX_KPIS = 40
MAX_NAME = 120
ROOT_KEYS = {"root_formula", "kpis", "reasons"}
MAX_REASON = 400
KPI_KEYS = {f.name for f in fields(KpiDefinition)}
CHOICES = {"unit": Unit.values, "direction": Direction.values, "kind": Kind.values,
           "phase": Phase.values, "cadence": Cadence.values, "aggregation": Aggregation.values}
# Rates and scores are averaged over a month; counts and money are summed.
_AVERAGED_UNITS = {"percent", "ratio", "score", "days", "hours"}


@dataclass(frozen=True)
class TreeDraft:
    root_code: str
    root_formula: str
    kpis: tuple
    reasons: dict = field(default_factory=dict, compare=False)  # code -> why it is there

    def payload(self) -> dict:
        return {"root_formula": self.root_formula, "kpis": [asdict(k) for k in self.kpis],
                "reasons": dict(self.reasons)}


def _refuse(message):
    raise AssistError(draft_invalid_message(message))


def draft_invalid_message(problem: str) -> str:
    return _("The draft is not valid, so nothing was saved: %(problem)s") % {"problem": problem}


def _text(item, key, where, limit):
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        _refuse(_("%(where)s: “%(key)s” must be a non-empty text.") % {"where": where, "key": key})
    value = value.strip()
    if len(value) > limit:
        _refuse(_("%(where)s: “%(key)s” is longer than %(limit)s characters.")
                % {"where": where, "key": key, "limit": limit})
    return value


def _choice(item, key, where, default=None):
    value = item.get(key, default)
    if value not in CHOICES[key]:
        _refuse(_("%(where)s: “%(key)s” must be one of %(choices)s, not “%(value)s”.")
                % {"where": where, "key": key, "choices": ", ".join(CHOICES[key]),
                   "value": value})
    return value


def _formula(text, where, known):
    if text is None:
        return ""
    if not isinstance(text, str):
        _refuse(_("%(where)s: the formula must be a text.") % {"where": where})
    text = text.strip()
    if not text:
        return ""
    try:
        parse_formula(text, known_codes=known)
    except FormulaError as exc:
        _refuse(f"{where}: {formula_error_message(exc)}")
    return text


def _kpi(item, index, root_code):
    where = _("KPI %(n)s") % {"n": index + 1}
    if not isinstance(item, dict):
        _refuse(_("%(where)s is not an object.") % {"where": where})
    extra = sorted(set(item) - KPI_KEYS)
    if extra:
        _refuse(_("%(where)s has unexpected fields: %(fields)s.")
                % {"where": where, "fields": ", ".join(extra)})
    code = item.get("code")
    if not isinstance(code, str) or not CODE_PATTERN.fullmatch(code):
        _refuse(_("%(where)s: the code “%(code)s” is not a KPI code (a-z, 0-9, _; at most 40).")
                % {"where": where, "code": code})
    where = f"{where} ({code})"
    if code == root_code:
        _refuse(_("%(where)s is the KGI's own KPI; give its formula as root_formula instead.")
                % {"where": where})
    unit = _choice(item, "unit", where)
    default_aggregation = "average" if unit in _AVERAGED_UNITS else "sum"
    return KpiDefinition(
        code=code, name_ja=_text(item, "name_ja", where, MAX_NAME),
        name_en=_text(item, "name_en", where, MAX_NAME), unit=unit,
        direction=_choice(item, "direction", where), kind=_choice(item, "kind", where),
        phase=_choice(item, "phase", where), cadence=_choice(item, "cadence", where),
        aggregation=_choice(item, "aggregation", where, default_aggregation),
        formula=item.get("formula"),
    )


def draft_from_payload(payload, *, root_code: str, existing_codes=frozenset()) -> TreeDraft:
    """A TreeDraft from a provider's JSON object, or AssistError naming the first problem.

    Formulas may name the draft's KPIs, the KGI's KPI and KPIs the company already has;
    they go through the project's parser (an allowlisted AST), never through eval.
    """
    if not isinstance(payload, dict):
        _refuse(_("the answer is not a JSON object."))
    extra = sorted(set(payload) - ROOT_KEYS)
    if extra:
        _refuse(_("unexpected fields: %(fields)s.") % {"fields": ", ".join(extra)})
    items = payload.get("kpis")
    if not isinstance(items, list) or not items:
        _refuse(_("“kpis” must be a non-empty list."))
    if len(items) > MAX_KPIS:
        _refuse(_("more than %(max)s KPIs.") % {"max": MAX_KPIS})
    kpis = [_kpi(item, i, root_code) for i, item in enumerate(items)]
    codes = [k.code for k in kpis]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        _refuse(_("the codes %(codes)s appear more than once.") % {"codes": ", ".join(duplicates)})
    known = set(codes) | {root_code} | set(existing_codes)
    kpis = [KpiDefinition(**{**asdict(k), "formula": _formula(k.formula, k.code, known)})
            for k in kpis]
    root_text = payload.get("root_formula")
    if not isinstance(root_text, str) or not root_text.strip():
        _refuse(_("“root_formula” must be a non-empty formula."))
    root_formula = _formula(root_text, root_code, known)
    return TreeDraft(root_code=root_code, root_formula=root_formula, kpis=tuple(kpis),
                     reasons=_reasons(payload.get("reasons"), known))


def _reasons(value, known) -> dict:
    """Optional ``{"code": "why this KPI is in the tree"}``; codes must be in the draft."""
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > MAX_KPIS + 1:
        _refuse(_("“reasons” must be an object with one text per KPI code."))
    reasons = {}
    for code, text in value.items():
        if code not in known or not isinstance(text, str):
            _refuse(_("“reasons” must be an object with one text per KPI code."))
        text = text.strip()
        if len(text) > MAX_REASON:
            _refuse(_("the reason for %(code)s is longer than %(limit)s characters.")
                    % {"code": code, "limit": MAX_REASON})
        if text:
            reasons[code] = text
    return reasons

"""The built-in provider: offline and deterministic, it matches the KGI's words to a template.

Each industry template lists keywords in Japanese and English. Latin keywords must stand
as words ("ec" matches "EC売上" and "EC revenue", not "decrease"); Japanese ones match
anywhere. The template with the most distinct keywords wins (ties: catalogue order); no
keyword at all is an honest "no match", never a guess.
"""
import re
import unicodedata

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from metrics.assist import DraftAnswer, DraftRequest
from metrics.assist.draft import draft_from_payload
from metrics.assist.grain import grain_words, rescale_formula
from metrics.catalog.templates import TEMPLATES, IndustryTemplate


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def _hits(keyword: str, text: str) -> bool:
    keyword = _normalise(keyword)
    if keyword.isascii():
        return re.search(rf"(?<![a-z0-9]){re.escape(keyword)}(?![a-z0-9])", text) is not None
    return keyword in text


def match_templates(text: str) -> list[tuple[IndustryTemplate, tuple]]:
    """Templates whose keywords occur in ``text``, best first, each with the words it matched."""
    text = _normalise(text)
    scored = []
    for order, template in enumerate(TEMPLATES.values()):
        words = tuple(dict.fromkeys(k for k in template.keywords if _hits(k, text)))
        if words:
            scored.append((-len(words), order, template, words))
    scored.sort(key=lambda row: row[:2])
    return [(template, words) for _score, _order, template, words in scored]


def grain_label(grain: str) -> str:
    return {"daily": pgettext("grain", "daily"), "weekly": pgettext("grain", "weekly"),
            "monthly": pgettext("grain", "monthly"), "quarterly": pgettext("grain", "quarterly"),
            "annual": pgettext("grain", "annual")}.get(grain, grain)


def template_grain(template: IndustryTemplate) -> str:
    root = next(k for k in template.kpis if k.code == template.kgi.root)
    return (grain_words(template.kgi.name_ja) or grain_words(root.name_ja)
            or grain_words(root.name_en) or "monthly")


def template_payload(template: IndustryTemplate, grain: str | None = None,
                     root_code: str | None = None) -> dict:
    """The template's tree as a draft payload: its root formula goes on the KGI's own KPI.

    With ``grain``, the root formula is rewritten at the KGI's grain (a monthly KGI gets no
    annual ×12) and the reason says so.
    """
    root = next(k for k in template.kpis if k.code == template.kgi.root)
    source = template_grain(template)
    formula, factor = rescale_formula(root.formula, source, grain or source)
    reason = _("From the industry template “%(name)s”: %(formula)s.") % {
        "name": template.name_ja, "formula": formula}
    if factor is not None:
        reason += " " + _("The template is %(source)s (×%(factor)s); your KGI is %(target)s, "
                          "so the formula is written for one %(target)s period.") % {
            "source": grain_label(source), "factor": f"{factor:g}",
            "target": grain_label(grain)}
    return {
        "root_formula": formula,
        "reasons": {root_code or root.code: reason},
        "kpis": [{"code": k.code, "name_ja": k.name_ja, "name_en": k.name_en, "unit": k.unit,
                  "direction": k.direction, "kind": k.kind, "phase": k.phase,
                  "cadence": k.cadence, "aggregation": k.aggregation, "formula": k.formula}
                 for k in template.kpis if k.code != root.code],
    }


class BuiltinProvider:
    key = "builtin"

    def __init__(self, template: str | None = None):
        self.template = TEMPLATES.get(template) if template else None

    def tree_draft(self, request: DraftRequest) -> DraftAnswer:
        if self.template is not None:
            chosen, words = self.template, ()
        else:
            text = " ".join([request.name, request.why, request.unit, request.root_name_ja,
                             request.root_name_en])
            matches = match_templates(text)
            if not matches:
                return DraftAnswer(draft=None, source="")
            chosen, words = matches[0]
        draft = draft_from_payload(template_payload(chosen, request.grain, request.root_code),
                                   root_code=request.root_code,
                                   existing_codes=request.existing_codes)
        return DraftAnswer(draft=draft, source=chosen.key, matched=words)

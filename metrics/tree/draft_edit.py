"""Edits made on the review page, applied to the reviewed draft before it is accepted.

The signed draft fixes what the reviewer cannot change here (codes, units, directions,
cadences); the page may rename a new KPI, change its formula or owner team, drop it, and
change the KGI's formula. The edited draft goes through the same strict validation as a
provider's answer, so a formula that names a dropped KPI is refused with its row named.
"""
from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from metrics.assist import AssistError
from metrics.assist.draft import draft_from_payload
from metrics.models import Kpi
from teams.models import Team

EDITABLE = ("name_ja", "name_en", "formula")


def field_name(field: str, code: str) -> str:
    return f"{field}-{code}"


def tree_draft_edit(*, company, draft, data):
    """``(edited draft, {code: team or None})`` from the posted review form, or ValidationError."""
    teams = {str(t.pk): t for t in Team.objects.filter(company=company)}
    kpis, owners = [], {}
    for spec in draft.kpis:
        if not data.get(field_name("keep", spec.code)):
            continue
        item = asdict(spec)
        for key in EDITABLE:
            value = data.get(field_name(key, spec.code))
            if value is not None:
                item[key] = value
        kpis.append(item)
        chosen = (data.get(field_name("team", spec.code)) or "").strip()
        if chosen and chosen not in teams:
            raise ValidationError(_("%(code)s: choose a team of this company.")
                                  % {"code": spec.code})
        owners[spec.code] = teams.get(chosen)
    if not kpis:
        raise ValidationError(_("Keep at least one new KPI, or discard the draft."))
    existing = frozenset(Kpi.objects.filter(company=company).values_list("code", flat=True))
    kept = {item["code"] for item in kpis} | existing | {draft.root_code}
    payload = {"root_formula": data.get("root_formula", draft.root_formula), "kpis": kpis,
               "reasons": {c: r for c, r in draft.reasons.items() if c in kept}}
    try:
        edited = draft_from_payload(payload, root_code=draft.root_code, existing_codes=existing)
    except AssistError as exc:
        raise ValidationError(exc.message) from exc
    return edited, owners

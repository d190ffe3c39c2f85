"""The tree draft assistant's rules: what a draft would create, and accepting it all or nothing.

Providers live in ``kgiapp.assist``; here the draft meets the company. A draft travels
from the review page to the accept button signed (``tree_draft_sign``), so what is
created is exactly what was reviewed, and it is validated again on acceptance.
"""
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from engine.formula import FormulaError, parse_formula
from engine.tree import check_acyclic, reachable, topological_order
from metrics.assist import AssistError, DraftRequest
from metrics.assist.draft import draft_from_payload, draft_invalid_message
from metrics.assist.grain import kgi_grain
from metrics.formula_messages import formula_error_message
from metrics.models import Kpi
from metrics.selectors import active_kgi
from metrics.services import company_formulas, kpi_create, kpi_update
from teams.models import Company

SIGNING_SALT = "metrics.tree.draft"
SIGNED_MAX_AGE = 24 * 3600


@dataclass
class DraftRow:
    code: str
    depth: int
    spec: object  # KpiDefinition, or None for the root
    existing: Kpi | None
    formula: str
    linked: bool = True
    reason: str = ""

    @property
    def is_new(self):
        return self.existing is None

    @property
    def kpi(self) -> Kpi:
        """The existing KPI, or an unsaved one built from the draft (for names and labels)."""
        if self.existing is not None:
            return self.existing
        fields = {k: getattr(self.spec, k) for k in ("code", "name_ja", "name_en", "unit",
                                                      "direction", "kind", "phase", "cadence",
                                                      "aggregation", "formula")}
        return Kpi(**fields)


@dataclass
class DraftPlan:
    root: Kpi
    root_formula_before: str
    rows: list  # the tree from the root, depth first, then KPIs not linked to the root
    to_create: list  # KpiDefinition in an order where every formula's inputs exist first

    @property
    def created_count(self):
        return len(self.to_create)

    @property
    def existing_count(self):
        return sum(1 for row in self.rows[1:] if not row.is_new)


def tree_draft_request(*, company) -> DraftRequest:
    """What the provider is told about the company's active KGI; refuses without one."""
    kgi = active_kgi(company)
    if kgi is None or kgi.kpi is None:
        raise ValidationError(_("Set an active KGI first: the assistant drafts from its text."))
    kpis = list(Kpi.objects.filter(company=company).order_by("code")
                .values_list("code", "name_ja", "name_en", "unit", "cadence"))
    return DraftRequest(
        name=kgi.name, why=kgi.why, unit=kgi.unit, root_code=kgi.kpi.code,
        root_name_ja=kgi.kpi.name_ja, root_name_en=kgi.kpi.name_en,
        existing_codes=frozenset(k[0] for k in kpis),
        grain=kgi_grain(name=kgi.name, kpi_names=(kgi.kpi.name_ja, kgi.kpi.name_en),
                        cadence=kgi.kpi.cadence),
        existing_kpis=tuple(kpis))


def tree_draft_reuse(*, company, draft):
    """The draft with the company's own KPIs in place of new ones that mean the same."""
    from metrics.tree.reuse import reuse_existing

    return reuse_existing(draft, list(Kpi.objects.filter(company=company)))


def _reason(draft, code, parent, formulas, names):
    if code in draft.reasons:
        return draft.reasons[code]
    if parent is None:
        return ""
    return _("Feeds “%(parent)s” through %(formula)s.") % {
        "parent": names.get(parent, parent), "formula": formulas[parent].text}


def tree_draft_plan(*, company, draft) -> DraftPlan:
    """Which KPIs the draft would create and which already exist; refuses loops and stale roots."""
    kgi = active_kgi(company)
    if kgi is None or kgi.kpi is None or kgi.kpi.code != draft.root_code:
        raise ValidationError(_("The KGI changed since this draft was made; make a new draft."))
    existing = {k.code: k for k in Kpi.objects.filter(company=company)}
    new = {k.code: k for k in draft.kpis if k.code not in existing}
    # The tree after acceptance: the company's formulas, the new KPIs' and the root's.
    formulas = company_formulas(company)
    try:
        for spec in new.values():
            if spec.formula:
                formulas[spec.code] = parse_formula(spec.formula)
        formulas[draft.root_code] = parse_formula(draft.root_formula)
        check_acyclic(formulas)
    except FormulaError as exc:
        raise ValidationError(draft_invalid_message(formula_error_message(exc))) from exc
    specs = {k.code: k for k in draft.kpis}
    names = {c: k.name for c, k in existing.items()}
    names.update({c: k.name_ja for c, k in specs.items()})
    rows, seen = [], set()

    def walk(code, depth, parent=None):
        seen.add(code)
        kpi = existing.get(code)
        formula = draft.root_formula if code == draft.root_code else (
            kpi.formula if kpi is not None else specs[code].formula)
        rows.append(DraftRow(code=code, depth=depth, spec=specs.get(code), existing=kpi,
                             formula=formula,
                             reason=_reason(draft, code, parent, formulas, names)))
        # An existing KPI keeps its own formula and inputs: the review lists it, not its subtree.
        if code in formulas and (kpi is None or code == draft.root_code):
            for name in formulas[code].names:
                if name not in seen and (name in specs or name in existing):
                    walk(name, depth + 1, code)

    walk(draft.root_code, 0)
    linked = reachable(draft.root_code, formulas)
    for spec in draft.kpis:
        if spec.code not in seen:
            rows.append(DraftRow(code=spec.code, depth=0, spec=spec,
                                 existing=existing.get(spec.code), formula=spec.formula,
                                 linked=spec.code in linked,
                                 reason=draft.reasons.get(spec.code, "")))
    order = topological_order({c: f for c, f in formulas.items() if c in new})
    to_create = [new[c] for c in order if c in new]
    to_create += [spec for spec in new.values() if spec.code not in order]
    return DraftPlan(root=existing[draft.root_code], root_formula_before=kgi.kpi.formula,
                     rows=rows, to_create=to_create)


def tree_draft_accept(*, company, draft, team=None, user=None, teams=None) -> list:
    """Create the draft's new KPIs and set the root's formula, all or nothing; returns the new KPIs.

    ``teams`` maps a new KPI's code to its owner team (None: no team); KPIs not in it get
    ``team``.
    """
    teams = teams or {}
    for owner in (team, *teams.values()):
        if owner is not None and owner.company_id != company.pk:
            raise ValidationError(_("Choose a team of this company."))
    try:
        with transaction.atomic():
            # One acceptance at a time per company: a second one sees the first one's KPIs.
            Company.objects.select_for_update().filter(pk=company.pk).first()
            plan = tree_draft_plan(company=company, draft=draft)
            created = [
                kpi_create(company=company, user=user, code=spec.code, name_ja=spec.name_ja,
                           name_en=spec.name_en, unit=spec.unit, direction=spec.direction,
                           kind=spec.kind, phase=spec.phase, cadence=spec.cadence,
                           aggregation=spec.aggregation, formula=spec.formula,
                           team=teams.get(spec.code, team))
                for spec in plan.to_create
            ]
            if plan.root.formula.strip() != draft.root_formula:
                kpi_update(kpi=plan.root, user=user, formula=draft.root_formula)
    except IntegrityError as exc:
        raise ValidationError(_("Someone changed the KPIs at the same time; nothing was "
                                "created. Make a new draft.")) from exc
    return created


def tree_draft_sign(*, company, draft) -> str:
    return signing.dumps({"company": company.pk, "root": draft.root_code,
                          "draft": draft.payload()}, salt=SIGNING_SALT, compress=True)


def tree_draft_unsign(*, company, signed: str):
    """The reviewed draft back from the page, validated again; refuses tampering and old drafts."""
    try:
        data = signing.loads(signed or "", salt=SIGNING_SALT, max_age=SIGNED_MAX_AGE)
    except signing.BadSignature as exc:  # includes SignatureExpired
        raise ValidationError(_("This draft is no longer valid; make a new draft.")) from exc
    if not isinstance(data, dict) or data.get("company") != company.pk:
        raise ValidationError(_("This draft is no longer valid; make a new draft."))
    existing = frozenset(Kpi.objects.filter(company=company).values_list("code", flat=True))
    try:
        return draft_from_payload(data.get("draft"), root_code=data.get("root"),
                                  existing_codes=existing)
    except AssistError as exc:
        raise ValidationError(exc.message) from exc

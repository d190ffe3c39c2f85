"""Copy an industry template into a company in one action (all or nothing)."""
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from engine.formula import FormulaError, parse_formula
from engine.tree import check_acyclic
from metrics.catalog.templates import TEMPLATES
from metrics.formula_messages import formula_error_message
from metrics.models import Focus, Kgi, KgiStatus, Kpi, PeriodKind, Target
from metrics.services import company_formulas, kgi_activate, kgi_is_smart


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


class TemplateResult(NamedTuple):
    kgi: Kgi
    kgi_kept: bool  # True: the company's own KGI was kept and the template's not created


def template_instantiate(*, company, key: str, team=None, user=None) -> TemplateResult:
    """Create the template's KPIs, targets and KGI; refuses if any KPI code is already used.

    A KGI the company already has (active or draft) is never replaced: then only the KPIs
    and their targets are added, and the result says the company's KGI was kept.
    """
    template = TEMPLATES.get(key)
    if template is None:
        raise ValidationError(_("Unknown template."))
    if team is not None and team.company_id != company.pk:
        raise ValidationError(_("Choose a team of this company."))
    codes = [spec.code for spec in template.kpis]
    with transaction.atomic():
        clashes = sorted(Kpi.objects.filter(company=company, code__in=codes)
                         .values_list("code", flat=True))
        if clashes:
            raise ValidationError(
                _("These KPI codes already exist in this company: %(codes)s. Rename or delete "
                  "them first; nothing was created.") % {"codes": ", ".join(clashes)})
        formulas = company_formulas(company)
        known = set(Kpi.objects.filter(company=company).values_list("code", flat=True)) | set(codes)
        try:
            for spec in template.kpis:
                if spec.formula:
                    formulas[spec.code] = parse_formula(spec.formula, known_codes=known)
            check_acyclic(formulas)
        except FormulaError as exc:
            raise ValidationError(formula_error_message(exc)) from exc
        Kpi.objects.bulk_create([
            Kpi(company=company, code=s.code, name_ja=s.name_ja, name_en=s.name_en, unit=s.unit,
                direction=s.direction, kind=s.kind, phase=s.phase, cadence=s.cadence,
                aggregation=s.aggregation, formula=s.formula, focus=Focus.MONITORING,
                team=team if s.team else None)
            for s in template.kpis
        ])
        by_code = {k.code: k for k in Kpi.objects.filter(company=company, code__in=codes)}
        month = timezone.localdate().replace(day=1)
        Target.objects.bulk_create([
            Target(kpi=by_code[s.code], period_kind=PeriodKind.MONTH, period_start=month,
                   value=Decimal(str(s.target)), created_by=user)
            for s in template.kpis if s.target is not None
        ])
        own = (Kgi.objects.filter(company=company).exclude(status=KgiStatus.ARCHIVED)
               .order_by("status", "-created_at").first())  # active first
        if own is not None:
            return TemplateResult(own, True)
        spec = template.kgi
        japanese = (translation.get_language() or "ja").startswith("ja")
        start = month
        deadline = _add_months(start, spec.months) - timedelta(days=1)
        kgi = Kgi.objects.create(
            company=company, name=spec.name_ja if japanese else spec.name_en,
            kpi=by_code[spec.root], unit=spec.unit, baseline=Decimal(spec.baseline),
            target=Decimal(spec.target), start_date=start, deadline=deadline,
            why=spec.why_ja if japanese else spec.why_en, status=KgiStatus.DRAFT,
        )
        Target.objects.create(kpi=by_code[spec.root], period_kind=PeriodKind.DEADLINE,
                              period_start=deadline, value=Decimal(spec.target), created_by=user)
        # The first goal of a company becomes its KGI at once.
        if kgi_is_smart(kgi):
            kgi_activate(kgi=kgi, user=user)
    return TemplateResult(kgi, False)

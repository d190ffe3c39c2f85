"""Rules that change OKRs: objectives, key results, check-ins, copying, the quarterly apply."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.calendar import Quarter
from metrics.models import Kpi, PeriodKind
from metrics.targets import TargetEntry, TargetsRefused, targets_set
from okrs import selectors
from okrs.models import CheckIn, KeyResult, KrDirection, KrKind, Objective, ObjectiveStatus
from okrs.scale import quarter_hints, scale_problem


def _owner_in_company(company, owner):
    if owner is None:
        return None
    if not get_user_model().objects.filter(pk=owner.pk, memberships__company=company).exists():
        raise ValidationError({"owner": _("The owner must be a member of the company.")})
    return owner


@transaction.atomic
def objective_create(*, team, quarter: Quarter, title: str, why: str = "", owner=None) -> Objective:
    """A new Objective for the team in that quarter."""
    objective = Objective(
        company_id=team.company_id, team=team, quarter=quarter.code,
        quarter_start=quarter.start, title=title.strip(), why=why.strip(),
        owner=_owner_in_company(team.company, owner),
    )
    objective.full_clean()
    objective.save()
    return objective


@transaction.atomic
def objective_update(*, objective: Objective, title: str, why: str, owner, status: str) -> Objective:
    if status not in ObjectiveStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    objective.title, objective.why, objective.status = title.strip(), why.strip(), status
    objective.owner = _owner_in_company(objective.team.company, owner)
    objective.full_clean()
    objective.save()
    return objective


@transaction.atomic
def key_result_save(*, objective: Objective, title: str, kind: str, target, start=None,
                    direction: str = KrDirection.HIGHER, unit: str = "count", kpi=None,
                    weight=1, key_result: KeyResult | None = None,
                    scale_confirmed: bool = True, today=None) -> KeyResult:
    """Create or edit a KR. A linked KR takes its unit and direction from the KPI.

    With ``scale_confirmed=False`` (the form, until the user ticks "the scale is right") a
    linked KR's start and target must be on the KPI's quarter scale (okrs.scale).
    """
    if kpi is not None and kpi.company_id != objective.company_id:
        raise ValidationError({"kpi": _("Choose a KPI of this company.")})
    if kind not in KrKind.values:
        raise ValidationError({"kind": _("Unknown kind.")})
    if kpi is not None:
        unit, direction = kpi.unit, kpi.direction
    if direction not in KrDirection.values:
        raise ValidationError({"direction": _("Unknown direction.")})
    if kind == KrKind.METRIC:
        if start is None:
            raise ValidationError({"start": _("A key result that moves a number needs a start.")})
        better = 1 if direction == KrDirection.HIGHER else -1
        if (Decimal(target) - Decimal(start)) * better < 0:
            raise ValidationError({"target": _(
                "The target must be better than the start (higher, or lower when lower is "
                "better)."
            )})
    else:
        start = None
    if kpi is not None and not scale_confirmed:
        _check_scale(objective, kpi, {"start": start, "target": target}, today)
    if weight is None or Decimal(weight) <= 0:
        raise ValidationError({"weight": _("The weight must be above zero.")})
    kr = key_result or KeyResult(objective=objective,
                                 position=objective.key_results.count())
    if kr.objective_id != objective.pk:
        raise ValidationError(_("This key result belongs to another objective."))
    kr.title, kr.kind, kr.kpi, kr.unit, kr.direction = title.strip(), kind, kpi, unit, direction
    kr.start, kr.target, kr.weight = start, target, weight
    if kpi is not None:
        # Never typed: a linked KR's value comes from the KPI's measurements.
        kr.current = None
    kr.full_clean(exclude=["objective"])
    kr.save()
    return kr


def _check_scale(objective, kpi, values: dict, today=None):
    quarter = selectors.quarter_from_param(objective.company, objective.quarter)
    hint = quarter_hints(objective.company, quarter, [kpi],
                         today or timezone.localdate())[kpi.pk]
    labels = {"start": _("Start"), "target": _("Target / threshold")}
    problems = {}
    for name, value in values.items():
        problem = scale_problem(hint, labels[name], value)
        if problem:
            problems[name] = problem
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def key_result_delete(*, key_result: KeyResult) -> None:
    key_result.delete()


@transaction.atomic
def checkin_create(*, key_result: KeyResult, confidence: int, comment: str = "", value=None,
                   author=None) -> CheckIn:
    """Record a check-in; a value only for KRs not linked to a KPI (it becomes current)."""
    if key_result.kpi_id and value is not None:
        raise ValidationError({"value": _(
            "This key result follows its KPI; enter the number on the KPI instead."
        )})
    if confidence is None or not 0 <= int(confidence) <= 10:
        raise ValidationError({"confidence": _("Confidence is 0–10.")})
    checkin = CheckIn.objects.create(key_result=key_result, value=value,
                                     confidence=int(confidence), comment=comment.strip(),
                                     author=author)
    if value is not None:
        KeyResult.objects.filter(pk=key_result.pk).update(current=value)
        key_result.current = value
    return checkin


@transaction.atomic
def objective_copy_to_next_quarter(*, objective: Objective, company) -> Objective:
    """Copy the Objective and its KRs to the next quarter; KRs restart from today's value."""
    quarter = selectors.quarter_from_param(company, objective.quarter)
    following = quarter.next()
    rows = {r.kr.pk: r for o in selectors.okr_rows(company, quarter, team=objective.team)
            if o.objective.pk == objective.pk for r in o.krs}
    copy = Objective.objects.create(
        company=objective.company, team=objective.team, quarter=following.code,
        quarter_start=following.start, title=objective.title, why=objective.why,
        owner=objective.owner, copied_from=objective,
    )
    new_krs = []
    for kr in objective.key_results.all():
        current = rows[kr.pk].current if kr.pk in rows else None
        start = kr.start
        if kr.kind == KrKind.METRIC and current is not None and not kr.kpi_id:
            start = Decimal(str(round(current, 4)))
        new_krs.append(KeyResult(
            objective=copy, title=kr.title, kind=kr.kind, kpi=kr.kpi, unit=kr.unit,
            direction=kr.direction, start=start, target=kr.target,
            current=None if kr.kpi_id else kr.current, weight=kr.weight, position=kr.position,
        ))
    KeyResult.objects.bulk_create(new_krs)
    return copy


def _decimal(raw, field_label):
    try:
        value = Decimal(str(raw).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(field)s: “%(value)s” is not a number.")
                              % {"field": field_label, "value": raw})
    if not value.is_finite():
        raise ValidationError(_("%(field)s: “%(value)s” is not a number.")
                              % {"field": field_label, "value": raw})
    return value


@transaction.atomic
def quarter_review_apply(*, team, quarter: Quarter, scores: dict, thresholds: dict,
                         user=None) -> dict:
    """Store KR grades and next quarter's KPI thresholds together, all or nothing.

    ``scores`` {kr_id: 0.0–1.0}, ``thresholds`` {kpi_id: value}. A current quarterly
    target of the same KPI and quarter is kept as history (superseded), never changed.
    Any bad row raises ValidationError and nothing is written.
    """
    krs = {kr.pk: kr for kr in KeyResult.objects.filter(
        objective__team=team, objective__quarter=quarter.code)}
    for kr_id, raw in scores.items():
        kr = krs.get(int(kr_id))
        if kr is None:
            raise ValidationError(_("A key result is not part of this team's quarter."))
        score = _decimal(raw, kr.title)
        if not Decimal(0) <= score <= Decimal(1):
            raise ValidationError(_("%(kr)s: the score must be between 0.0 and 1.0.")
                                  % {"kr": kr.title})
        kr.final_score = score.quantize(Decimal("0.01"))
    KeyResult.objects.bulk_update(list(krs.values()), ["final_score"])

    following = quarter.next()
    created = []
    kpis = Kpi.objects.select_for_update().in_bulk(
        [int(k) for k in thresholds], field_name="pk")
    note = _("Quarterly OKR review %(quarter)s") % {"quarter": quarter.label}
    for kpi_id, raw in thresholds.items():
        kpi = kpis.get(int(kpi_id))
        if kpi is None or kpi.company_id != team.company_id:
            raise ValidationError(_("A KPI is not part of this company."))
        value = _decimal(raw, kpi.name)
        if value < 0:
            raise ValidationError(_("%(kpi)s: a threshold cannot be negative.")
                                  % {"kpi": kpi.name})
        # A quarter target (a sum KPI's quarter total, an average's level) governs only its
        # own quarter, from its first day: nothing changes before the quarter starts.
        try:
            created.extend(targets_set(
                kpi=kpi, entries=[TargetEntry(following.start, value, PeriodKind.QUARTER)],
                user=user, reason=note, within_kgi=False))
        except TargetsRefused as refused:
            raise ValidationError([f"{kpi.name}: {m}" for m in refused.messages]) from None
    return {"scored": len(scores), "targets": created}

"""Rules that change the KGI and its KPI tree: SMART activation, formulas, the 7-KPI focus cap.

(Measurement services live in metrics/measurements.py.)
"""
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.integrity import refuse_constraints
from engine.formula import FormulaError, parse_formula
from engine.tree import check_acyclic, reachable
from metrics.facts.store import facts_refresh
from metrics.formula_messages import formula_error_message
from metrics.models import Focus, Kgi, KgiStatus, Kpi
from metrics.selectors import active_kgi

FOCUS_CAP = 7
# A target more than this many times the baseline is not "achievable" for the SMART panel.
ACHIEVABLE_FACTOR = 10


class FocusRefused(ValidationError):
    """The focus change breaks a rule (cap, unlinked, vanity); ``reason`` says which."""

    def __init__(self, message, reason):
        super().__init__(message)
        self.reason = reason


# --- KGI ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SmartLetter:
    letter: str
    label: str
    ok: bool
    reasons: list


def kgi_smart_check(kgi: Kgi) -> list[SmartLetter]:
    """The five SMART letters of a KGI, each with the reasons it does not hold yet."""
    specific, measurable, achievable, relevant, timebound = [], [], [], [], []
    if len((kgi.name or "").strip()) < 4:
        specific.append(_("Give the goal a name that says what will be reached."))
    if kgi.kpi_id is None:
        specific.append(_("Choose the KPI that measures the goal."))
        measurable.append(_("No KPI measures it."))
    if not kgi.unit:
        measurable.append(_("No unit."))
    if kgi.target is None:
        measurable.append(_("No target value."))
    if kgi.baseline is None:
        achievable.append(_("No baseline: without today's value nobody can judge the target."))
    elif kgi.target is not None:
        if kgi.target == kgi.baseline:
            achievable.append(_("The target equals the baseline."))
        elif kgi.baseline > 0 and kgi.target > kgi.baseline * ACHIEVABLE_FACTOR:
            achievable.append(_("The target is more than %(factor)s× the baseline.")
                              % {"factor": ACHIEVABLE_FACTOR})
    if len((kgi.why or "").strip()) < 10:
        relevant.append(_("Say why it matters (at least one sentence)."))
    if kgi.deadline is None:
        timebound.append(_("No deadline."))
    if kgi.start_date is None:
        timebound.append(_("No start date."))
    if kgi.deadline and kgi.start_date and kgi.deadline <= kgi.start_date:
        timebound.append(_("The deadline is not after the start."))
    rows = [("S", _("Specific"), specific), ("M", _("Measurable"), measurable),
            ("A", _("Achievable"), achievable), ("R", _("Relevant"), relevant),
            ("T", _("Time-bound"), timebound)]
    return [SmartLetter(letter, label, not reasons, reasons) for letter, label, reasons in rows]


def kgi_is_smart(kgi: Kgi) -> bool:
    return all(item.ok for item in kgi_smart_check(kgi))


def kgi_activate(*, kgi: Kgi, user=None) -> Kgi:
    """Make this the company's one active KGI; refuses unless all five SMART letters hold."""
    missing = [item for item in kgi_smart_check(kgi) if not item.ok]
    if missing:
        raise ValidationError(
            _("The KGI is not SMART yet: %(letters)s.")
            % {"letters": ", ".join(f"{m.label} ({' '.join(m.reasons)})" for m in missing)}
        )
    with transaction.atomic():
        # Lock the company's KGIs so two activations cannot race past each other.
        list(Kgi.objects.select_for_update().filter(company=kgi.company))
        if Kgi.objects.filter(company=kgi.company, status=KgiStatus.ACTIVE).exclude(
                pk=kgi.pk).exists():
            raise ValidationError(
                _("Another KGI is active. Archive it first: a company has one final goal.")
            )
        kgi.status = KgiStatus.ACTIVE
        kgi.archived_at = None
        with refuse_constraints():
            kgi.save(update_fields=["status", "archived_at"])
    return kgi


def kgi_archive(*, kgi: Kgi, user=None) -> Kgi:
    """Archive a KGI; the row, its KPI and targets stay as history."""
    with transaction.atomic():
        kgi.status = KgiStatus.ARCHIVED
        kgi.archived_at = timezone.now()
        kgi.save(update_fields=["status", "archived_at"])
    return kgi


def kgi_save(*, kgi: Kgi, user=None) -> Kgi:
    """Save a KGI's fields; an active KGI must stay SMART."""
    if kgi.company_id and kgi.kpi_id and kgi.kpi.company_id != kgi.company_id:
        raise ValidationError({"kpi": _("Choose a KPI of this company.")})
    if kgi.status == KgiStatus.ACTIVE and not kgi_is_smart(kgi):
        raise ValidationError(_("An active KGI must stay SMART; fill in what the panel lists."))
    with transaction.atomic():
        kgi.save()
    return kgi




# --- formulas ----------------------------------------------------------------------


def company_formulas(company, replace=None):
    """{code: Formula} for the company's computed KPIs; ``replace`` = (code, text) to try one."""
    texts = dict(Kpi.objects.filter(company=company).exclude(formula="").values_list(
        "code", "formula"))
    if replace is not None:
        code, text = replace
        texts.pop(code, None)
        if text.strip():
            texts[code] = text
    formulas = {}
    for code, text in texts.items():
        try:
            formulas[code] = parse_formula(text)
        except FormulaError:
            continue  # an old invalid formula is reported on its own KPI, not here
    return formulas


def validate_formula(*, company, code: str, text: str, exclude_pk=None) -> str:
    """Return the formula text if it parses, names only KPIs of the company and makes no loop."""
    text = (text or "").strip()
    if not text:
        return ""
    codes = set(Kpi.objects.filter(company=company).values_list("code", flat=True)) | {code}
    try:
        parse_formula(text, known_codes=codes)
        check_acyclic(company_formulas(company, replace=(code, text)))
    except FormulaError as exc:
        raise ValidationError({"formula": formula_error_message(exc)}) from exc
    return text


KPI_FIELDS = ["code", "name_ja", "name_en", "definition", "unit", "direction", "kind", "phase",
              "cadence", "lever", "data_source", "team", "aggregation", "is_vanity", "formula",
              "allows_negative"]


def kpi_create(*, company, user=None, **fields) -> Kpi:
    """Create a KPI (monitoring) after checking its code and formula against the company."""
    with transaction.atomic():
        code = fields.get("code", "")
        if Kpi.objects.filter(company=company, code=code).exists():
            raise ValidationError({"code": _("The code “%(code)s” is already used.")
                                   % {"code": code}})
        _check_team(company, fields.get("team"))
        fields["formula"] = validate_formula(company=company, code=code,
                                             text=fields.get("formula", ""))
        kpi = Kpi(company=company, focus=Focus.MONITORING,
                  **{k: v for k, v in fields.items() if k in KPI_FIELDS})
        kpi.full_clean(exclude=["team"])
        kpi.save()
    return kpi


def kpi_update(*, kpi: Kpi, user=None, **fields) -> Kpi:
    """Change a KPI; the code is fixed (formulas use it); a focus KPI must stay eligible."""
    with transaction.atomic():
        _check_team(kpi.company, fields.get("team"))
        if "formula" in fields:
            fields["formula"] = validate_formula(company=kpi.company, code=kpi.code,
                                                 text=fields["formula"])
        for name, value in fields.items():
            if name in KPI_FIELDS and name != "code":
                setattr(kpi, name, value)
        if kpi.is_vanity:
            kpi.focus = Focus.MONITORING  # vanity metrics never hold a focus place
        if kpi.focus == Focus.ACTIVE and kpi.team_id is not None:
            from teams.models import Team

            # A focus KPI moving into a team takes one of its seven places: same rule and
            # message as the tree's focus switch (the database trigger is only a backstop).
            _check_focus_cap(Team.objects.select_for_update().get(pk=kpi.team_id), kpi)
        kpi.full_clean(exclude=["team"])
        kpi.save()
        # Direction, cadence and aggregation decide its card's target and status.
        facts_refresh(kpi.company, [kpi.pk])
    return kpi


def _check_team(company, team):
    if team is not None and team.company_id != company.pk:
        raise ValidationError({"team": _("Choose a team of this company.")})


# --- the seven focus KPIs ------------------------------------------------------------


def linked_codes(company) -> set:
    """Codes reachable from the active KGI's KPI through formulas (empty without a KGI)."""
    kgi = active_kgi(company)
    if kgi is None or kgi.kpi is None:
        return set()
    return reachable(kgi.kpi.code, company_formulas(company))


def _check_focus_cap(team, kpi):
    """Refuse a focus KPI joining ``team`` when it already has seven (team row locked)."""
    active = list(Kpi.objects.filter(team=team, focus=Focus.ACTIVE).exclude(pk=kpi.pk)
                  .order_by("code"))
    if len(active) >= FOCUS_CAP:
        raise FocusRefused(
            _("%(team)s already has %(cap)s focus KPIs: %(names)s. Move one of them to "
              "monitoring first.")
            % {"team": team.name, "cap": FOCUS_CAP,
               "names": ", ".join(k.name for k in active)}, "cap")


def kpi_set_focus(*, kpi: Kpi, state: str, user=None) -> Kpi:
    """Make a KPI active (one of at most 7 per team) or monitoring; refuses with the reason."""
    from teams.models import Team

    if state not in Focus.values:
        raise ValidationError(_("Unknown focus state."))
    with transaction.atomic():
        if state == Focus.MONITORING:
            Kpi.objects.filter(pk=kpi.pk).update(focus=Focus.MONITORING,
                                                 updated_at=timezone.now())
            kpi.focus = Focus.MONITORING
            return kpi
        if kpi.team_id is None:
            raise FocusRefused(_("“%(kpi)s” has no owner team; give it one first.")
                               % {"kpi": kpi.name}, "no_team")
        # Lock the team row so two requests can't both see 6 active KPIs.
        team = Team.objects.select_for_update().get(pk=kpi.team_id)
        kpi = Kpi.objects.select_for_update().get(pk=kpi.pk)
        if kpi.focus == Focus.ACTIVE:
            return kpi
        if kpi.is_vanity:
            raise FocusRefused(
                _("“%(kpi)s” is a vanity metric: it cannot be a focus KPI. Explain it in one "
                  "line of formula, or keep it in monitoring.") % {"kpi": kpi.name}, "vanity")
        if kpi.code not in linked_codes(kpi.company):
            raise FocusRefused(
                _("“%(kpi)s” is not linked to the KGI: explain it in one line of formula, or "
                  "keep it in monitoring.") % {"kpi": kpi.name}, "unlinked")
        _check_focus_cap(team, kpi)
        kpi.focus = Focus.ACTIVE
        kpi.save(update_fields=["focus", "updated_at"])
    return kpi



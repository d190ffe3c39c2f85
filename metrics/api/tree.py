"""KGI tree API: KPIs, the tree with targets/consistency/sensitivity, and the focus toggle."""
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from metrics.models import Focus, Kpi
from metrics.services import FocusRefused, kpi_set_focus
from metrics.tree.presenter import build_tree, kpis_with_latest
from teams.permissions import can

router = Router(tags=["kgi tree"])


class Message(Schema):
    detail: str


class KpiOut(Schema):
    code: str
    name_ja: str
    name_en: str
    unit: str
    direction: str
    kind: str
    phase: str
    cadence: str
    aggregation: str
    formula: str
    team: str | None
    focus: str
    is_vanity: bool
    latest: float | None
    month_target: float | None


class FocusIn(Schema):
    state: str = Field(json_schema_extra={"enum": Focus.values})  # kpi_set_focus refuses others


def _f(value):
    return None if value is None else float(value)


def _kpi_out(kpi):
    return KpiOut(code=kpi.code, name_ja=kpi.name_ja, name_en=kpi.name_en, unit=kpi.unit,
                  direction=kpi.direction, kind=kpi.kind, phase=kpi.phase, cadence=kpi.cadence,
                  aggregation=kpi.aggregation, formula=kpi.formula,
                  team=kpi.team.slug if kpi.team else None, focus=kpi.focus,
                  is_vanity=kpi.is_vanity, latest=_f(getattr(kpi, "latest", None)),
                  month_target=_f(getattr(kpi, "month_target", None)))


@router.get("/{company}/kpis", response={200: list[KpiOut], 403: Message}, url_name="api-kpis")
def kpi_list(request, company: str):
    """Every KPI of the company with its latest value and this month's target."""
    if not can(request.membership, "view"):
        return Status(403, {"detail": "forbidden"})
    return Status(200, [_kpi_out(k) for k in kpis_with_latest(request.company)])


@router.get("/{company}/kgi/tree", response={200: dict, 403: Message}, url_name="api-kgi-tree")
def kgi_tree(request, company: str, seek: str | None = None):
    """The active KGI, formulas, targets, the consistency check (and goal seek), sensitivity."""
    if not can(request.membership, "view"):
        return Status(403, {"detail": "forbidden"})
    tree = build_tree(request.company, seek_code=seek)
    kgi = tree.kgi
    consistency = None
    if tree.consistency:
        c = tree.consistency
        consistency = {
            "ok": c.get("ok"), "error": c.get("error"),
            "leaves": [k.code for k in c.get("leaves", [])],
            "missing": [k.code for k in c.get("missing", [])],
            "computed": c.get("computed"), "target": _f(c.get("target")),
            "factor": c.get("factor"), "short": c.get("short"),
            "goal_seek": None if not c.get("seek") else {
                "code": c["seek"]["kpi"].code, "value": c["seek"]["value"],
                "error": c["seek"]["error"]},
        }
    return Status(200, {
        "kgi": None if kgi is None else {
            "name": kgi.name, "kpi": kgi.kpi.code if kgi.kpi else None, "unit": kgi.unit,
            "baseline": _f(kgi.baseline), "target": _f(kgi.target),
            "start": kgi.start_date.isoformat() if kgi.start_date else None,
            "deadline": kgi.deadline.isoformat() if kgi.deadline else None,
            "smart": {s.letter: {"ok": s.ok, "reasons": s.reasons} for s in tree.smart},
        },
        "kpis": [_kpi_out(k).dict() | {"linked": k.code in tree.linked}
                 for k in tree.kpis.values()],
        "formulas": {code: f.text for code, f in tree.formulas.items()},
        "consistency": consistency,
        "sensitivity": [{"code": r["kpi"].code, "pct_per_1pct": r["pct"],
                         "elasticity": r["elasticity"]} for r in tree.sensitivity],
        "balance": tree.balance,
    })


@router.post("/{company}/kpis/{code}/focus", response={200: KpiOut, 403: Message, 409: Message,
                                                       422: Message},
             url_name="api-kpi-focus")
def kpi_focus(request, company: str, code: str, payload: FocusIn):
    """Make a KPI active or monitoring; 409 with the reason when a rule refuses it."""
    kpi = get_object_or_404(Kpi.objects.select_related("team"), company=request.company,
                            code=code)
    allowed = (can(request.membership, "manage_team", team=kpi.team) if kpi.team
               else can(request.membership, "admin"))
    if not allowed:
        return Status(403, {"detail": "forbidden"})
    try:
        kpi = kpi_set_focus(kpi=kpi, state=payload.state, user=request.membership.user)
    except FocusRefused as refused:
        return Status(409, {"detail": refused.messages[0]})
    except ValidationError as exc:
        return Status(422, {"detail": " ".join(exc.messages)})
    return Status(200, _kpi_out(kpi))

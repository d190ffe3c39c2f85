"""Customer-success API: monthly metrics with numerator/denominator, and the at-risk list."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema
from ninja.responses import Status

from customers import selectors as cs_selectors
from customers import services as cs_services
from teams.models import Team
from teams.permissions import can

router = Router(tags=["customer success"])


class MetricOut(Schema):
    key: str
    value: float | None
    numerator: float | None
    denominator: float | None
    unit: str
    note: str


class MetricsOut(Schema):
    team: str
    month: str
    metrics: list[MetricOut]


class AtRiskOut(Schema):
    id: int
    name: str
    external_id: str
    plan: str
    reasons: list[str]
    reason_codes: list[str]


class ErrorOut(Schema):
    detail: str


def _team(request, slug):
    if slug:
        return get_object_or_404(Team, company=request.company, slug=slug)
    team = cs_selectors.cs_team_for(request.company)
    if team is None:
        from django.http import Http404

        raise Http404
    return team


def _float(value):
    return None if value is None else float(value)


@router.get("/{company}/cs/metrics", response={200: MetricsOut, 403: ErrorOut},
            url_name="api-cs-metrics")
def cs_metrics(request, company: str, month: str = "", team: str = ""):
    """Every customer-success metric for a month (YYYY-MM, default the last closed month)."""
    if not can(request.membership, "view"):
        return Status(403, {"detail": "forbidden"})
    team_obj = _team(request, team)
    today = timezone.localdate()
    month_start = cs_selectors.month_from_param(month, today)
    rows = cs_selectors.month_metrics(team_obj, month_start, today)
    return Status(200, {
        "team": team_obj.slug, "month": f"{month_start:%Y-%m}",
        "metrics": [{"key": r["key"], "value": r["value"], "numerator": _float(r["numerator"]),
                     "denominator": _float(r["denominator"]), "unit": r["unit"],
                     "note": r["note"]} for r in rows],
    })


@router.get("/{company}/cs/at-risk", response={200: list[AtRiskOut], 403: ErrorOut},
            url_name="api-cs-at-risk")
def cs_at_risk(request, company: str, team: str = ""):
    """Active customers breaking the team's at-risk rules, with their reasons."""
    if not can(request.membership, "view"):
        return Status(403, {"detail": "forbidden"})
    team_obj = _team(request, team)
    rows = cs_selectors.at_risk_rows(team_obj, cs_services.risk_rules_for(team_obj),
                                     timezone.localdate())
    return Status(200, [{"id": r["customer"].pk, "name": r["customer"].name,
                  "external_id": r["customer"].external_id, "plan": r["customer"].plan,
                  "reasons": r["reasons"], "reason_codes": r["codes"]} for r in rows])



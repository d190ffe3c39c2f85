"""OKR API: GET /api/v1/{company}/okrs?quarter=2026Q4 — objectives, KRs and KGI alignment.

``quarter`` is always the company's fiscal quarter: ``2026Q4`` (the code the API returns)
or ``FY2026 Q4`` / ``FY2026-Q4``; missing or malformed means this quarter.
"""
from ninja import Router, Schema
from ninja.errors import HttpError

from okrs import selectors as okr_selectors
from teams.permissions import can

router = Router(tags=["okrs"])


class KeyResultOut(Schema):
    id: int
    title: str
    kind: str
    unit: str
    direction: str
    start: float | None
    target: float
    current: float | None
    progress: float | None
    weight: float
    kpi: str | None
    value_source: str
    contributes_to_kgi: bool
    flags: list[str]


class ObjectiveOut(Schema):
    id: int
    team: str
    title: str
    why: str
    owner: str | None
    status: str
    progress: float | None
    expected_progress: float
    contributes_to_kgi: bool
    key_results: list[KeyResultOut]


class OkrsOut(Schema):
    quarter: str  # the fiscal quarter's code, 2026Q4
    label: str  # the same quarter as people read it, FY2026 Q4
    start: str
    end: str
    kgi: str | None
    kgi_kpi: str | None
    kgi_tree: list[str]
    objectives: list[ObjectiveOut]


def _num(value):
    return None if value is None else float(value)


@router.get("/{company}/okrs", response=OkrsOut, url_name="api-okrs")
def okrs(request, company: str, quarter: str | None = None):
    """The quarter's Objectives with KR values (from KPIs when linked) and KGI alignment."""
    if not can(request.membership, "view"):
        raise HttpError(403, "forbidden")
    q = okr_selectors.quarter_from_param(request.company, quarter)
    tree = okr_selectors.kgi_tree(request.company)
    rows = okr_selectors.okr_rows(request.company, q, tree=tree)
    return OkrsOut(
        quarter=q.code, label=q.label, start=q.start.isoformat(), end=q.end.isoformat(),
        kgi=tree.kgi.name if tree.kgi else None, kgi_kpi=tree.root,
        kgi_tree=sorted(tree.codes),
        objectives=[ObjectiveOut(
            id=o.objective.pk, team=o.objective.team.slug, title=o.objective.title,
            why=o.objective.why,
            owner=o.objective.owner.get_username() if o.objective.owner else None,
            status=o.objective.status, progress=o.progress, expected_progress=o.expected,
            contributes_to_kgi=o.contributes,
            key_results=[KeyResultOut(
                id=r.kr.pk, title=r.kr.title, kind=r.kr.kind, unit=r.kr.unit,
                direction=r.kr.direction, start=_num(r.kr.start), target=float(r.kr.target),
                current=r.current, progress=r.progress, weight=float(r.kr.weight),
                kpi=r.kr.kpi.code if r.kr.kpi else None,
                value_source="kpi" if r.linked else "check-ins",
                contributes_to_kgi=r.contributes, flags=[code for _c, _t, code in r.flags],
            ) for r in o.krs],
        ) for o in rows],
    )

"""Matrix rows for targets: the KPI page's editor, the tree's goal seek and cascade, the API."""
from tests.permissions.matrix import ALLOWED, api_row, company_row


def _kpi(w):
    return {"company": w.company.slug, "code": w.extra["tree_kpi"].code}


def _planner(row):
    """Admins and executives plan every KPI; the KPI's team manager plans it too, a manager
    of another team does not."""
    row.expect["manager"] = ALLOWED
    row.expect["other_manager"] = 403
    return row


ROWS = {
    "api:api-kpi-targets": api_row("view", kwargs=_kpi),
    "api:api-kpi-targets-set": _planner(api_row("plan", kwargs=_kpi, method="put",
                                                data=lambda w: {"targets": []})),
}

ROWS.update({
    "kpi-target-set": _planner(company_row("plan", kwargs=_kpi, method="post",
                                           data=lambda w: {"period": "2026-12-01",
                                                           "kind": "month", "value": "10"})),
    "kpi-target-phase": _planner(company_row("plan", kwargs=_kpi)),
    "tree-seek-apply": company_row("plan", method="post", data=lambda w: {"seek": "x"}),
    "tree-cascade": company_row("plan"),
})

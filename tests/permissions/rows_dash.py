"""Matrix rows for the dashboards (issue 6): the KPI page."""
from tests.permissions.matrix import company_row


def _kpi(w):
    return {"company": w.company.slug, "code": w.extra["dash_kpi"].code}


ROWS = {
    "kpi-detail": company_row("view", kwargs=_kpi),
}

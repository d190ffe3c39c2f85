"""Matrix rows for the KGI tree pages and API."""
from tests.permissions.matrix import api_row, company_row


def _kpi(w):
    return {"company": w.company.slug, "code": w.extra["tree_kpi"].code}


def _kgi(w):
    return {"company": w.company.slug, "pk": w.extra["tree_kgi"].pk}


ROWS = {
    "kgi-tree": company_row("view"),
    "kgi-edit": company_row("admin"),
    "kgi-activate": company_row("admin", kwargs=_kgi, method="post"),
    "kgi-archive": company_row("admin", kwargs=_kgi, method="post"),
    "kgi-templates": company_row("admin"),
    "kpi-create": company_row("admin"),
    "kpi-edit": company_row("admin", kwargs=_kpi),
    "kpi-focus": company_row("manage_team", kwargs=_kpi, method="post", team_scoped=True, other_manager=403,
                             data=lambda w: {"state": "monitoring"}),
    "api:api-kpis": api_row("view"),
    "api:api-kgi-tree": api_row("view"),
    "api:api-kpi-focus": api_row("manage_team", kwargs=_kpi, method="post",
                                 data=lambda w: {"state": "monitoring"}, other_manager=403),
}

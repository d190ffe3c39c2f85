"""Matrix rows for the customer-success pages and API."""
from tests.permissions.matrix import api_row, company_row


def _team(w):
    return {"company": w.company.slug, "team": w.team.slug}


def _customer(w):
    return {**_team(w), "customer_id": w.extra["customer"].pk}


def _import(w):
    return {**_team(w), "import_id": w.extra["roster_import"].pk}


def _company(w):
    return {"company": w.company.slug}


ROWS = {
    "customers-home": company_row("view"),
    "cs-definitions": company_row("view"),
    "customer-list": company_row("view", kwargs=_team),
    "customer-edit": company_row("view", kwargs=_customer),
    "roster-import": company_row("view", kwargs=_team),
    "roster-import-preview": company_row("view", kwargs=_import),
    "roster-import-commit": company_row("contribute", kwargs=_import, method="post",
                                        team_scoped=True, other_manager=403),
    "cs-metrics": company_row("view", kwargs=_team),
    "cs-churn-target": company_row("manage_team", kwargs=_team, method="post",
                                   data=lambda w: {"target_percent": "3", "quarter": "2025-04-01"},
                                   team_scoped=True, other_manager=403),
    "cs-at-risk": company_row("view", kwargs=_team),
    "cs-at-risk-csv": company_row("view", kwargs=_team),
    "cs-customer-task": company_row("manage_team", kwargs=_customer, method="post",
                                    team_scoped=True, other_manager=403),
    "cs-causal": company_row("view", kwargs=_team),
    "cs-voice": company_row("view", kwargs=_team),
    "cs-voice-add": company_row("contribute", kwargs=_team, method="post",
                                data=lambda w: {"source": "lost_reason", "lines": "価格"},
                                team_scoped=True, other_manager=403),
    "api:api-voice-themes": api_row("view", kwargs=_company, method="post",
                                    data=lambda w: {"texts": ["価格が高い", "返信が遅い"]}),
    "api:api-voice-comments": api_row("contribute", kwargs=_company, method="post",
                                      data=lambda w: {"team": w.team.slug,
                                                      "source": "lost_reason",
                                                      "texts": ["価格が合わない"]},
                                      other_manager=403),
    "api:api-cs-metrics": api_row("view", kwargs=_company),
    "api:api-cs-at-risk": api_row("view", kwargs=_company),
}

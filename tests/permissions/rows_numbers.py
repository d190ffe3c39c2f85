"""Matrix rows for the numbers pages (entry grid, import, export, campaigns, data quality)."""
from tests.permissions.matrix import ALLOWED, api_row, company_row


def _team(w):
    return {"company": w.company.slug, "team": w.team.slug}


def _batch(w):
    return {"company": w.company.slug, "batch_id": w.extra["import_batch"].pk}


def _campaign(w):
    return {"company": w.company.slug, "campaign_id": w.extra["campaign"].pk}


def _kpi(w):
    return {"company": w.company.slug, "code": w.extra["numbers_kpi"].code}


def _cell(w):
    return {"kpi": w.extra["numbers_kpi"].pk, "period": "2026-03-02", "value": "1,234"}


def _target(w):
    return {"kpi": w.extra["numbers_kpi"].pk, "period": "2026-03-01", "target": "1,234"}


def _planner(row):
    row.expect["manager"] = ALLOWED
    row.expect["other_manager"] = 403
    return row


def _api_item(w):
    return {"items": [{"kpi": w.extra["numbers_kpi"].code, "period": "2026-03-02", "value": 1}]}


ROWS = {
    "numbers-home": company_row("view"),
    "numbers-grid": company_row("view", kwargs=_team),
    # The grid of the sales team: a manager of marketing enters no numbers there.
    "numbers-cell": company_row("contribute", kwargs=_team, method="post", data=_cell,
                                other_manager=403),
    # A target of the sales team's KPI: planners and the sales team's manager.
    "numbers-target": _planner(company_row("plan", kwargs=_team, method="post",
                                           data=_target)),
    # Imports are company-wide pages; each row's KPI is checked in the service
    # (tests/metrics/test_entry_permissions.py), so another team's manager gets that far.
    "import-upload": company_row("contribute", other_manager=ALLOWED),
    # Each KPI's targets are checked in the service (planners, the KPI team's managers).
    "import-targets-commit": company_row("contribute", method="post", other_manager=ALLOWED,
                                         data=lambda w: {"token": "x"}),
    "import-preview": company_row("contribute", kwargs=_batch, other_manager=ALLOWED),
    "import-status": company_row("contribute", kwargs=_batch, other_manager=ALLOWED),
    "import-commit": company_row("contribute", kwargs=_batch, method="post",
                                 other_manager=ALLOWED),
    # Undo: the service lets only the batch's owner or an admin (others get a message).
    "import-undo": company_row("contribute", kwargs=_batch, method="post",
                               other_manager=ALLOWED),
    "measurement-export": company_row("view"),
    "numbers-template": company_row("contribute", other_manager=ALLOWED),
    "data-quality": company_row("view"),
    "campaign-list": company_row("view"),
    # A manager creates campaigns on the KPIs they manage; the world's campaign is drawn on
    # the sales team's KPI, so marketing's manager may neither edit nor delete it.
    "campaign-create": company_row("manage_team", other_manager=ALLOWED),
    "campaign-update": company_row("manage_team", kwargs=_campaign, other_manager=403),
    "campaign-delete": company_row("manage_team", kwargs=_campaign, method="post",
                                   other_manager=403),
    # One number for the sales team's KPI: refused item by item (422) for another team.
    "api:api-measurements-upsert": api_row("contribute", method="post", data=_api_item,
                                           other_manager=422),
    "api:api-kpi-measurements": api_row("view", kwargs=_kpi),
}

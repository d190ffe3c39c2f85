"""Matrix rows for the numbers pages (entry grid, import, export, campaigns, data quality)."""
from tests.permissions.matrix import api_row, company_row


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


ROWS = {
    "numbers-home": company_row("view"),
    "numbers-grid": company_row("view", kwargs=_team),
    "numbers-cell": company_row("contribute", kwargs=_team, method="post", data=_cell),
    "import-upload": company_row("contribute"),
    "import-preview": company_row("contribute", kwargs=_batch),
    "import-status": company_row("contribute", kwargs=_batch),
    "import-commit": company_row("contribute", kwargs=_batch, method="post"),
    "measurement-export": company_row("view"),
    "data-quality": company_row("view"),
    "campaign-list": company_row("view"),
    "campaign-create": company_row("manage_team"),
    "campaign-update": company_row("manage_team", kwargs=_campaign),
    "campaign-delete": company_row("manage_team", kwargs=_campaign, method="post"),
    "api:api-measurements-upsert": api_row("contribute", method="post",
                                           data=lambda w: {"items": []}),
    "api:api-kpi-measurements": api_row("view", kwargs=_kpi),
}

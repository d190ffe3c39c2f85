"""Matrix rows for sources (issue 21): pages and API for admins and managers; the webhook
refuses an unsigned post from everyone alike. Sources are the company's, not a team's: a
manager of any team may manage them (each run may write only the KPIs its owner may enter)."""
from tests.permissions.matrix import ALLOWED, api_row, company_row, public_row


def _source(w):
    return {"company": w.company.slug, "source_id": w.extra["source"].pk}


def _hook(w):
    return {"company": w.company.slug, "source_id": w.extra["hook_source"].pk}


ROWS = {
    "source-list": company_row("manage_team", other_manager=ALLOWED),
    "source-run": company_row("manage_team", kwargs=_source, method="post", other_manager=ALLOWED),
    "source-preview": company_row("manage_team", kwargs=_source, method="post",
                                  other_manager=ALLOWED),
    "source-mapping": company_row("manage_team", kwargs=_source, method="post",
                                  other_manager=ALLOWED),
    "source-webhook": public_row(403, kwargs=_hook, method="post"),
    "api:api-sources-create": api_row("manage_team", method="post", other_manager=ALLOWED,
                                      data=lambda w: {"name": "", "kind": "url"}),
    "api:api-sources-list": api_row("manage_team", other_manager=ALLOWED),
    "api:api-sources-detail": api_row("manage_team", kwargs=_source, other_manager=ALLOWED),
    "api:api-sources-run": api_row("manage_team", kwargs=_hook, method="post",
                                   other_manager=ALLOWED),
}

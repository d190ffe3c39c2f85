"""Matrix rows for sources (issue 21): pages and API for admins and managers; the webhook
refuses an unsigned post from everyone alike."""
from tests.permissions.matrix import api_row, company_row, public_row


def _source(w):
    return {"company": w.company.slug, "source_id": w.extra["source"].pk}


def _hook(w):
    return {"company": w.company.slug, "source_id": w.extra["hook_source"].pk}


ROWS = {
    "source-list": company_row("manage_team"),
    "source-run": company_row("manage_team", kwargs=_source, method="post"),
    "source-webhook": public_row(403, kwargs=_hook, method="post"),
    "api:api-sources-create": api_row("manage_team", method="post",
                                      data=lambda w: {"name": "", "kind": "url"}),
    "api:api-sources-list": api_row("manage_team"),
    "api:api-sources-detail": api_row("manage_team", kwargs=_source),
    "api:api-sources-run": api_row("manage_team", kwargs=_hook, method="post"),
}

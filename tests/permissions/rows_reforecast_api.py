"""Matrix rows for the reforecast API."""
from tests.permissions.matrix import api_row


def _job(w):
    return {"company": w.company.slug, "job_id": w.extra["reforecast"].pk}


ROWS = {
    "api:api-reforecast-latest": api_row("view"),
    "api:api-reforecast-detail": api_row("view", kwargs=_job),
    "api:api-reforecast-run": api_row("admin", method="post"),
}

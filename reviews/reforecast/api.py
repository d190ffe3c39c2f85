"""Reforecast API: read the latest monthly snapshot, or ask for this month's and poll it."""
from datetime import date

from django.urls import reverse
from ninja import Router, Schema
from ninja.responses import Status

from core.queue import send_on_commit
from reviews.models import Reforecast, ReforecastStatus
from reviews.reforecast import services as service
from reviews.reforecast.tasks import reforecast_run
from teams.permissions import can

router = Router(tags=["reforecasts"])


class SensitivityOut(Schema):
    code: str
    delta_pp: float
    direction: int


class ReforecastOut(Schema):
    id: int
    month: str
    status: str
    progress: int
    error: str
    probability: float | None
    p10: float | None
    p50: float | None
    p90: float | None
    target: float | None
    deadline: date | None
    fingerprint: str
    completed_at: str | None
    sensitivity: list[SensitivityOut]
    changes: dict
    risks: list[dict]
    anomalies: list[dict]


class JobOut(Schema):
    job_id: int
    month: str
    status: str
    poll: str


class Error(Schema):
    detail: str


def _out(row: Reforecast) -> ReforecastOut:
    payload = row.payload or {}
    return ReforecastOut(
        id=row.pk, month=row.month_key, status=row.status, progress=row.progress,
        error=row.error, probability=row.probability, p10=row.p10, p50=row.p50, p90=row.p90,
        target=row.target, deadline=row.deadline, fingerprint=row.fingerprint,
        completed_at=row.completed_at.isoformat() if row.completed_at else None,
        sensitivity=[SensitivityOut(code=s["code"], delta_pp=s["delta_pp"],
                                    direction=s["direction"])
                     for s in payload.get("sensitivity", [])],
        changes=payload.get("changes", {}), risks=payload.get("risks", []),
        anomalies=payload.get("anomalies", []))


@router.get("/{company}/reforecasts/latest", response={200: ReforecastOut, 403: Error,
                                                       404: Error},
            url_name="api-reforecast-latest")
def reforecast_latest(request, company: str):
    """The newest completed monthly snapshot of the company's KGI outlook."""
    if not can(request.membership, "view"):
        return Status(403, {"detail": "forbidden"})
    row = (Reforecast.objects.filter(company=request.company, status=ReforecastStatus.DONE)
           .order_by("-month").first())
    if row is None:
        return Status(404, {"detail": "no reforecast has been computed yet"})
    return Status(200, _out(row))


@router.get("/{company}/reforecasts/{job_id}", response={200: ReforecastOut, 403: Error,
                                                         404: Error},
            url_name="api-reforecast-detail")
def reforecast_detail(request, company: str, job_id: int):
    """One snapshot by id: poll it after POST until status is done (or failed)."""
    if not can(request.membership, "view"):
        return Status(403, {"detail": "forbidden"})
    row = Reforecast.objects.filter(company=request.company, pk=job_id).first()
    if row is None:
        return Status(404, {"detail": "no such reforecast"})
    return Status(200, _out(row))


@router.post("/{company}/reforecasts", response={202: JobOut, 403: Error},
             url_name="api-reforecast-run")
def reforecast_run_now(request, company: str):
    """Queue this month's snapshot (once per month; a done month is returned as it is)."""
    if not can(request.membership, "admin"):
        return Status(403, {"detail": "forbidden"})
    row, queued = service.reforecast_request(company=request.company,
                                             user=request.membership.user)
    if queued:
        send_on_commit(reforecast_run, row.pk)
        row.refresh_from_db()
    poll = reverse("api:api-reforecast-detail",
                   kwargs={"company": request.company.slug, "job_id": row.pk})
    return Status(202, JobOut(job_id=row.pk, month=row.month_key, status=row.status, poll=poll))

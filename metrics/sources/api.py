"""Sources API: add a source, list them, see one, run one now (admins and managers)."""
from datetime import time

from django.db import transaction
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from core.queue import send_on_commit
from metrics.sources.models import DataSource, Schedule, SourceKind, SourceRun
from metrics.sources.services import SourceInvalid, last_runs, run_now_key, source_create
from metrics.sources.tasks import source_run_task
from metrics.sources.views import run_as_dict
from teams.permissions import can

router = Router(tags=["sources"])


class SourceIn(Schema):
    name: str
    kind: str = Field(json_schema_extra={"enum": SourceKind.values})  # source_create refuses others
    url: str = ""
    dsn: str = ""
    query: str = ""
    mapping: dict[str, str] = {}
    schedule: str = Field(Schedule.MANUAL, json_schema_extra={"enum": Schedule.values})
    at: time | None = None
    weekday: int | None = None


class RunOut(Schema):
    id: int
    status: str
    new: int
    changed: int
    unchanged: int
    error: str
    unmapped: list[str]
    started_at: str
    finished_at: str | None


class SourceOut(Schema):
    id: int
    name: str
    kind: str
    url: str
    query: str
    mapping: dict
    schedule: str
    at: time | None
    weekday: int | None
    active: bool
    owner: str | None
    last_run: RunOut | None = None


class CreatedOut(SourceOut):
    secret: str | None = None  # a webhook's signing secret: in this answer only


class ErrorOut(Schema):
    detail: str
    errors: dict[str, str] = {}


def _out(source, run=None, **extra):
    return {"id": source.pk, "name": source.name, "kind": source.kind, "url": source.url,
            "query": source.query, "mapping": source.mapping, "schedule": source.schedule,
            "at": source.at, "weekday": source.weekday, "active": source.active,
            "owner": source.owner.get_username() if source.owner else None,
            "last_run": run_as_dict(run), **extra}


def _forbidden():
    return 403, ErrorOut(detail="forbidden")


@router.post("/{company}/sources", url_name="api-sources-create",
             response={201: CreatedOut, 403: ErrorOut, 422: ErrorOut})
def sources_create(request, company: str, payload: SourceIn):
    """Add a source; a webhook's answer carries its secret, shown this once."""
    if not can(request.membership, "manage_team"):
        return _forbidden()
    try:
        source, secret = source_create(company=request.company, owner=request.membership.user,
                                       **payload.dict())
    except SourceInvalid as invalid:
        return 422, ErrorOut(detail="invalid", errors={k: str(v) for k, v in
                                                        invalid.errors.items()})
    return 201, _out(source, secret=secret)


@router.get("/{company}/sources", url_name="api-sources-list",
            response={200: list[SourceOut], 403: ErrorOut})
def sources_list(request, company: str):
    if not can(request.membership, "manage_team"):
        return _forbidden()
    sources = list(DataSource.objects.filter(company=request.company).select_related("owner"))
    runs = last_runs(sources)
    return 200, [_out(s, runs.get(s.pk)) for s in sources]


@router.get("/{company}/sources/{source_id}", url_name="api-sources-detail",
            response={200: SourceOut, 403: ErrorOut})
def sources_detail(request, company: str, source_id: int):
    if not can(request.membership, "manage_team"):
        return _forbidden()
    source = get_object_or_404(DataSource, company=request.company, pk=source_id)
    return 200, _out(source, last_runs([source]).get(source.pk))


@router.post("/{company}/sources/{source_id}/run", url_name="api-sources-run",
             response={200: RunOut, 202: RunOut, 403: ErrorOut, 422: ErrorOut})
def sources_run(request, company: str, source_id: int):
    """Run it now (a Celery task). Without a worker the answer is the finished run."""
    if not can(request.membership, "manage_team"):
        return _forbidden()
    source = get_object_or_404(DataSource, company=request.company, pk=source_id)
    if source.kind == SourceKind.WEBHOOK:
        return 422, ErrorOut(detail="a webhook source runs when its sender posts to it")
    key = run_now_key()
    with transaction.atomic():
        SourceRun.objects.create(source=source, key=key)
        send_on_commit(source_run_task, source.pk, key)  # broker down: the reaper sends it
    run = SourceRun.objects.get(source=source, key=key)
    return (202 if run.status == "running" else 200), run_as_dict(run)

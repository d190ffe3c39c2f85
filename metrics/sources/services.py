"""Sources: create one, run one (once per key), and say which scheduled runs are due."""
from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from metrics.batch_changes import encode
from metrics.imports import _errors_as_problems, analyze_file
from metrics.measurements import MeasurementError, measurements_bulk_upsert
from metrics.models import ImportBatch, ImportStatus, Source
from metrics.sources import secrets
from metrics.sources.fetch import FetchError, fetch_sql, fetch_url, literal_private, rows_to_csv
from metrics.sources.models import DataSource, RunStatus, Schedule, SourceKind, SourceRun

MAX_ERRORS_SHOWN = 5


class SourceInvalid(Exception):
    """What is wrong with a new source, {field: message}."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


def _check_mapping(mapping) -> dict:
    if mapping in (None, ""):
        return {}
    if isinstance(mapping, str):
        try:
            mapping = json.loads(mapping)
        except ValueError:
            mapping = None
    if not isinstance(mapping, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise SourceInvalid({"mapping": _(
            'The mapping must be names and KPI codes: {"Sales": "revenue"}.')})
    return mapping


def _is_http(url) -> bool:
    try:
        parts = urlsplit(url or "")
        return len(url) <= 1000 and parts.scheme in {"http", "https"} and bool(parts.hostname) and (
            parts.port or 0) >= 0
    except ValueError:
        return False


def _dsn_host(dsn: str) -> str:
    try:
        return urlsplit(dsn).hostname or ""
    except ValueError:
        return ""


def _private(host: str | None) -> str:
    """Why an address written as a private one (an IP literal, localhost) is refused at once,
    as the fetch would refuse it ("" when it is not); names are checked when fetched."""
    if host and literal_private(host):
        return _("The host %(host)s is on a private network; an administrator must allow it "
                 "first.") % {"host": host}
    return ""


def source_create(*, company, owner, name: str, kind: str, url: str = "", dsn: str = "",
                  query: str = "", mapping=None, schedule: str = Schedule.MANUAL,
                  at: time | None = None, weekday: int | None = None):
    """A new source and, for a webhook, its signing secret (shown this once, never again)."""
    errors = {}
    name = (name or "").strip()
    if not name or len(name) > 100:
        errors["name"] = _("Give the source a name.")
    elif DataSource.objects.filter(company=company, name=name).exists():
        errors["name"] = _("A source with this name already exists.")
    if kind not in SourceKind.values:
        errors["kind"] = _("Choose a kind of source.")
    if kind == SourceKind.URL:
        if not _is_http(url):
            errors["url"] = _("Enter an http or https address.")
        elif message := _private(urlsplit(url).hostname):
            errors["url"] = message
    if kind == SourceKind.SQL:
        if not (dsn or "").startswith(("postgres://", "postgresql://")):
            errors["dsn"] = _("Enter a PostgreSQL connection string (postgres://…).")
        elif message := _private(_dsn_host(dsn)):
            errors["dsn"] = message
        if not (query or "").strip():
            errors["query"] = _("Enter the query.")
    if kind == SourceKind.WEBHOOK:
        schedule = Schedule.MANUAL  # the sender decides when
    if schedule not in Schedule.values:
        errors["schedule"] = _("Choose a schedule.")
    elif schedule in {Schedule.DAILY, Schedule.WEEKLY} and at is None:
        errors["at"] = _("Say at what time it runs.")
    if schedule == Schedule.WEEKLY and weekday not in range(7):
        errors["weekday"] = _("Say on which day of the week it runs.")
    try:
        mapping = _check_mapping(mapping)
    except SourceInvalid as invalid:
        errors.update(invalid.errors)
    if errors:
        raise SourceInvalid(errors)
    secret = None
    stored = b""
    if kind == SourceKind.SQL:
        stored = secrets.encrypt(dsn)
    elif kind == SourceKind.WEBHOOK:
        secret = secrets.new_webhook_secret()
        stored = secrets.encrypt(secret)
    try:
        with transaction.atomic():
            source = DataSource.objects.create(
                company=company, owner=owner, name=name, kind=kind,
                url=url if kind == SourceKind.URL else "",
                query=query if kind == SourceKind.SQL else "", secret=stored, mapping=mapping,
                schedule=schedule, at=at if schedule in {Schedule.DAILY, Schedule.WEEKLY} else None,
                weekday=weekday if schedule == Schedule.WEEKLY else None)
    except IntegrityError:
        raise SourceInvalid({"name": _("A source with this name already exists.")}) from None
    return source, secret


def payload_to_csv(payload) -> bytes:
    """A webhook's JSON — a list of objects, or {"items": [...]} — as CSV bytes."""
    if isinstance(payload, dict):
        payload = payload.get("items")
    if not isinstance(payload, list) or not payload or not all(
            isinstance(item, dict) for item in payload):
        raise FetchError(_('The body must be a JSON list of objects: [{"kpi": …, "period": …, '
                           '"value": …}].'))
    columns = list(dict.fromkeys(key for item in payload for key in item))
    return rows_to_csv(columns, ([item.get(c) for c in columns] for item in payload))


def _fetch(source: DataSource) -> tuple[str, bytes]:
    if source.kind == SourceKind.URL:
        return fetch_url(source.url)
    if source.kind == SourceKind.SQL:
        return fetch_sql(secrets.decrypt(source.secret), source.query)
    raise FetchError(_("A webhook source runs when its sender posts to it."))


def _summary(problems: list[dict]) -> str:
    lines = []
    for problem in problems[:MAX_ERRORS_SHOWN]:
        where = " ".join(str(p) for p in (problem.get("row"), problem.get("column")) if p)
        lines.append(f"{where}: {problem['message']}" if where else problem["message"])
    if len(problems) > MAX_ERRORS_SHOWN:
        lines.append(_("…and %(count)s more.") % {"count": len(problems) - MAX_ERRORS_SHOWN})
    return "\n".join(lines)


def _finish(run: SourceRun, *, error: str = "", result=None, unmapped=(), batch=None,
            kpi_ids=()):
    run.status = RunStatus.FAILED if error else RunStatus.DONE
    run.error = error
    run.kpi_ids = [] if error else sorted(kpi_ids)
    run.batch = batch
    run.unmapped = list(unmapped)[:100]
    if result is not None:
        run.new_count, run.changed_count = result.new, result.changed
        run.unchanged_count = result.unchanged
    run.finished_at = timezone.now()
    run.save()
    return run


def source_run(*, source: DataSource, key: str, filename: str | None = None,
               data: bytes | None = None) -> SourceRun:
    """Run the source once for ``key``: fetch (unless ``data`` is given), read, map, import.

    All or nothing through measurements_bulk_upsert; the same data again changes nothing.
    A key already run answers its run; a run left "running" by a dead worker is run again.
    """
    try:
        run, _created = SourceRun.objects.get_or_create(source=source, key=key)
    except IntegrityError:
        run = SourceRun.objects.get(source=source, key=key)
    if run.status != RunStatus.RUNNING:
        return run
    company = source.company
    with translation.override(company.language):
        try:
            if data is None:
                filename, data = _fetch(source)
        except FetchError as error:
            with transaction.atomic():
                run = SourceRun.objects.select_for_update().get(pk=run.pk)
                return run if run.status != RunStatus.RUNNING else _finish(run, error=str(error))
        analysis = analyze_file(company=company, filename=filename, data=data,
                                mapping=source.mapping or {})
        with transaction.atomic():
            # Two workers with the same key: the second waits here, then finds it done.
            run = SourceRun.objects.select_for_update().get(pk=run.pk)
            if run.status != RunStatus.RUNNING:
                return run
            result = None
            if not analysis.problems:
                try:
                    result = measurements_bulk_upsert(company=company, entries=analysis.entries,
                                                      source=Source.IMPORT, user=source.owner)
                except MeasurementError as error:
                    analysis.problems = _errors_as_problems(error)
            batch = ImportBatch.objects.create(
                company=company, uploaded_by=source.owner, filename=filename[:255], data=data,
                size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                language=company.language, file_format=analysis.file_format,
                encoding=analysis.encoding, shape=analysis.shape, row_count=analysis.row_count,
                record_count=len(analysis.entries), problems=analysis.problems[:1000],
                status=ImportStatus.INVALID if analysis.problems else ImportStatus.DONE,
                new_count=result.new if result else 0,
                changed_count=result.changed if result else 0,
                unchanged_count=result.unchanged if result else 0, finished_at=timezone.now(),
                changes=encode(result.cells) if result else b"",
                written_at=result.written_at if result else None)
            return _finish(run, error=_summary(analysis.problems), result=result,
                           unmapped=analysis.unmapped, batch=batch,
                           kpi_ids={entry.kpi.pk for entry in analysis.entries})


def run_now_key() -> str:
    return "now:" + uuid.uuid4().hex


def due_key(source: DataSource, now: datetime) -> str | None:
    """The key of the latest scheduled slot at or before ``now`` (local time), or None."""
    local = timezone.localtime(now)
    if source.schedule == Schedule.HOURLY:
        slot = local.replace(minute=0, second=0, microsecond=0)
    elif source.schedule in {Schedule.DAILY, Schedule.WEEKLY} and source.at is not None:
        day = local.date()
        if source.schedule == Schedule.WEEKLY:
            if source.weekday is None:
                return None
            day -= timedelta(days=(local.weekday() - source.weekday) % 7)
        slot = timezone.make_aware(datetime.combine(day, source.at), local.tzinfo)
        if slot > local:
            slot -= timedelta(days=7 if source.schedule == Schedule.WEEKLY else 1)
    else:
        return None
    return "at:" + slot.strftime("%Y-%m-%dT%H:%M")


def sources_due(now: datetime) -> list[tuple[int, str]]:
    """(source id, slot key) of every active scheduled source whose latest slot has not run."""
    due = []
    sources = DataSource.objects.filter(active=True).exclude(schedule=Schedule.MANUAL).exclude(
        kind=SourceKind.WEBHOOK)
    for source in sources:
        key = due_key(source, now)
        if key and not SourceRun.objects.filter(source=source, key=key).exists():
            due.append((source.pk, key))
    return due


def last_runs(sources, status: str | None = None) -> dict[int, SourceRun]:
    """{source id: its latest run (of ``status``)}, in one query."""
    runs = SourceRun.objects.filter(source=OuterRef("source_id"))
    if status:
        runs = runs.filter(status=status)
    latest = runs.order_by("-started_at", "-pk").values("pk")[:1]
    runs = SourceRun.objects.filter(source__in=[s.pk for s in sources], pk=Subquery(latest))
    return {run.source_id: run for run in runs}

"""How each source is doing, for the data-quality panel: last run, last success, and whether
its numbers are fresh against its schedule (and if not, why)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.models import Kpi
from metrics.sources.models import DataSource, RunStatus, Schedule, SourceKind, SourceRun
from metrics.sources.services import last_runs

EVERY = {Schedule.HOURLY: timedelta(hours=1), Schedule.DAILY: timedelta(days=1),
         Schedule.WEEKLY: timedelta(days=7)}
GRACE = 2  # a scheduled source is stale after missing this many slots


@dataclass
class SourceHealth:
    source: DataSource
    last_run: SourceRun | None
    last_success: SourceRun | None
    stale: bool
    reason: str


def _reason(source, run, success, now) -> str:
    if run is None:
        return _("Never run.")
    if run.status == RunStatus.FAILED:
        return _("The last run failed: %(error)s") % {
            "error": (run.error.strip().splitlines() or ["?"])[0]}
    every = EVERY.get(source.schedule)
    if (every and source.kind != SourceKind.WEBHOOK and success is not None
            and success.finished_at and success.finished_at < now - GRACE * every):
        return _("No successful run since %(when)s.") % {
            "when": timezone.localtime(success.finished_at).strftime("%Y-%m-%d %H:%M")}
    return ""


def sources_health(company, now=None) -> list[SourceHealth]:
    """Every source of the company with its last run, last success and freshness."""
    now = now or timezone.now()
    sources = list(DataSource.objects.filter(company=company).select_related("owner"))
    runs = last_runs(sources)
    successes = last_runs(sources, status=RunStatus.DONE)
    out = []
    for source in sources:
        run, success = runs.get(source.pk), successes.get(source.pk)
        reason = _reason(source, run, success, now) if source.active else ""
        out.append(SourceHealth(source, run, success, bool(reason), reason))
    return out


def health_by_kpi(company, healths: list[SourceHealth]) -> dict[int, list[SourceHealth]]:
    """{kpi id: the sources feeding it}: the KPIs of a source's last success, and the KPI
    codes its mapping names."""
    codes = dict(Kpi.objects.filter(company=company).values_list("code", "pk"))
    out: dict[int, list[SourceHealth]] = {}
    for health in healths:
        kpi_ids = set(health.last_success.kpi_ids if health.last_success else ())
        kpi_ids |= {codes[v] for v in health.source.mapping.values() if v in codes}
        for kpi_id in kpi_ids:
            out.setdefault(kpi_id, []).append(health)
    return out

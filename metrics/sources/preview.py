"""What a source's run would change now, before anything is written (a dry run)."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from metrics.batch_changes import SHOWN
from metrics.imports import _errors_as_problems, analyze_file
from metrics.measurements import MeasurementError, UpsertResult, measurements_bulk_upsert
from metrics.models import Source
from metrics.sources.fetch import FetchError
from metrics.sources.models import DataSource, SourceKind
from metrics.sources.services import _fetch, _summary


@dataclass
class Preview:
    error: str = ""
    unmapped: list = field(default_factory=list)
    result: UpsertResult | None = None
    diff: list = field(default_factory=list)  # the first SHOWN cells: kpi, period, old, new


def source_preview(*, source: DataSource) -> Preview:
    """Fetch, read and map like a run, then count and list the cells it would change, as
    the source's owner; nothing is stored (no run, no batch, no value)."""
    if source.kind == SourceKind.WEBHOOK:
        return Preview(error=_("A webhook source runs when its sender posts to it."))
    try:
        filename, data = _fetch(source)
    except FetchError as error:
        return Preview(error=str(error))
    analysis = analyze_file(company=source.company, filename=filename, data=data,
                            mapping=source.mapping or {})
    preview = Preview(unmapped=analysis.unmapped)
    if analysis.problems:
        preview.error = _summary(analysis.problems)
        return preview
    try:
        preview.result = measurements_bulk_upsert(
            company=source.company, entries=analysis.entries, source=Source.IMPORT,
            user=source.owner, dry_run=True)
    except MeasurementError as error:
        preview.error = _summary(_errors_as_problems(error))
        return preview
    kpis = {entry.kpi.pk: entry.kpi for entry in analysis.entries}
    preview.diff = [{"kpi": kpis[k], "period": p, "old": None if old is None else old[0],
                     "new": new} for (k, p), old, new in preview.result.cells[:SHOWN]]
    return preview

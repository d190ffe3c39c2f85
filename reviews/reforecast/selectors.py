"""Reads for the reforecast pages: the company's months (without payloads), one snapshot
for the report (without the what-if's inputs) and one for a what-if (only its inputs)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from metrics.analytics.what_if import WhatIfInputs, what_if_from_payload, what_if_unpack
from reviews.models import Reforecast, ReforecastStatus
from reviews.reforecast.wording import month_label


@dataclass
class MonthRow:
    pk: int
    month: date
    status: str
    probability: float | None
    progress: int
    error: str

    @property
    def key(self):
        return f"{self.month:%Y-%m}"

    @property
    def label(self):
        return month_label(self.month)

    @property
    def is_done(self):
        return self.status == ReforecastStatus.DONE

    @property
    def percent(self):
        return None if self.probability is None else round(100 * self.probability)


def company_months(company) -> list[MonthRow]:
    """Every snapshot row of the company, oldest first, without payloads (one query)."""
    rows = (Reforecast.objects.filter(company=company).order_by("month")
            .values_list("pk", "month", "status", "probability", "progress", "error"))
    return [MonthRow(*row) for row in rows]


def snapshot(company, month: date) -> Reforecast | None:
    """The month's snapshot for its report: the payload, not the what-if's inputs."""
    return Reforecast.objects.filter(company=company, month=month).defer("what_if_inputs").first()


# A what-if reads the figures it compares with and its compact inputs; the report's payload
# is loaded (one more query) only for a snapshot stored before the inputs had a column.
WHAT_IF_FIELDS = ("pk", "company", "month", "status", "probability", "p50", "target", "draws",
                  "seed", "what_if_inputs")


def what_if_snapshot(company, month: date) -> Reforecast | None:
    """The month's snapshot for a what-if: the few columns it reads, never the payload."""
    row = Reforecast.objects.filter(company=company, month=month).only(*WHAT_IF_FIELDS).first()
    if row is not None:
        row.company = company  # the caller's company: no second query for it
    return row


def reforecast_what_if_inputs(reforecast: Reforecast) -> WhatIfInputs:
    """What the snapshot's what-if reads: its stored compact inputs (one column), or, for
    a snapshot stored before they existed, its payload's leaves with today's tree."""
    if reforecast.what_if_inputs:
        return what_if_unpack(reforecast.what_if_inputs)
    return what_if_from_payload(reforecast.company, reforecast.payload or {})

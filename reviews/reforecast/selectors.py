"""Reads for the reforecast pages: the company's months (without payloads) and one snapshot."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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
    return Reforecast.objects.filter(company=company, month=month).first()

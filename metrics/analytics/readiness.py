"""Whether the numbers allow a first reforecast, and if not, which KPIs lack how much history.

The reforecast forecasts every leaf KPI of the active KGI's tree from the periods before
the month it is computed for. A first reforecast is offered once each leaf has about
twelve weeks of history at its cadence (``MIN_HISTORY``); until then this says, per KPI,
how many periods it has and how many it needs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from metrics.analytics.outlook import OutlookUnavailable, active_kgi_with_tree
from metrics.models import Cadence, Kpi, Measurement

# About twelve weeks of history at each cadence.
MIN_HISTORY = {Cadence.DAILY: 84, Cadence.WEEKLY: 12, Cadence.MONTHLY: 3}


@dataclass
class Shortfall:
    kpi: Kpi
    have: int
    need: int

    @property
    def missing(self) -> int:
        return self.need - self.have


@dataclass
class Readiness:
    """``ready`` when the KGI can be forecast; else ``problem`` (the KGI itself) or
    ``shortfalls`` (leaf KPIs with too little history), never both empty."""

    problem: str = ""
    shortfalls: list[Shortfall] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problem and not self.shortfalls

    def as_facts(self) -> dict:
        """Plain values (picklable, cacheable): the problem and one tuple per shortfall."""
        return {"problem": self.problem, "short": [
            (s.kpi.code, s.kpi.name_ja, s.kpi.name_en, s.kpi.cadence,
             s.kpi.team.slug if s.kpi.team else "", s.have, s.need) for s in self.shortfalls]}


def min_history(cadence: str) -> int:
    return MIN_HISTORY.get(cadence, MIN_HISTORY[Cadence.WEEKLY])


def reforecast_readiness(company, *, as_of: date) -> Readiness:
    """Whether a reforecast computed for ``as_of`` (a month's first day) has enough to read."""
    try:
        _kgi, _root, _formulas, leaf_codes = active_kgi_with_tree(company)
    except OutlookUnavailable as exc:
        return Readiness(problem=str(exc))
    kpis = {k.code: k for k in Kpi.objects.filter(company=company, code__in=leaf_codes)
            .select_related("team")}
    counts = dict(Measurement.objects.filter(company=company, kpi__code__in=leaf_codes,
                                             period_start__lt=as_of)
                  .values_list("kpi__code").annotate(n=Count("pk")).order_by())
    shortfalls = []
    for code in leaf_codes:
        kpi = kpis.get(code)
        if kpi is None:
            return Readiness(problem=_("The formula names a KPI that does not exist: "
                                       "%(code)s") % {"code": code})
        need = min_history(kpi.cadence)
        have = counts.get(code, 0)
        if have < need:
            shortfalls.append(Shortfall(kpi=kpi, have=have, need=need))
    return Readiness(shortfalls=shortfalls)



def shortfall_text(name: str, cadence: str, have: int, need: int) -> str:
    """“MQLs: 5 of the 12 weeks needed” in the user's language."""
    values = {"kpi": name, "have": have, "need": need}
    if cadence == Cadence.MONTHLY:
        return _("%(kpi)s: %(have)s of the %(need)s months of history needed") % values
    if cadence == Cadence.DAILY:
        return _("%(kpi)s: %(have)s of the %(need)s days of history needed") % values
    return _("%(kpi)s: %(have)s of the %(need)s weeks of history needed") % values


def readiness_needs(slug: str, facts: dict | None) -> list[tuple[str, str, str]]:
    """(text, url, link label) per KPI lacking history: its team's numbers grid, else the
    import page. ``facts`` is ``Readiness.as_facts()``."""
    if not facts:
        return []
    japanese = (get_language() or "ja").startswith("ja")
    needs = []
    for _code, name_ja, name_en, cadence, team, have, need in facts["short"]:
        if team:
            url = reverse("numbers-grid", kwargs={"company": slug, "team": team})
        else:
            url = reverse("import-upload", kwargs={"company": slug})
        needs.append((shortfall_text(name_ja if japanese else name_en, cadence, have, need),
                      url, _("Enter its numbers")))
    return needs

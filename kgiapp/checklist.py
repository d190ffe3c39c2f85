"""The 3-minute checklist, computed from the data on every request, never typed in.

Six questions from the source article; each answers ✓ or ✗ with what was found and a
link to the page that fixes it. Bulk reads only: a fixed number of queries.
"""
from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from engine.tree import reachable
from metrics.models import Focus, Kind, Kpi, Measurement
from metrics.selectors import parsed_formula

# Celery beat entries whose presence means the rhythm is switched on.
WEEKLY_REVIEW_BEAT = "reviews-open-weekly"
MONTHLY_REFORECAST_BEAT = "reforecast-monthly"
ANOMALY_BEAT = "anomalies-nightly"
LEADING_SHARE_MIN = 0.5
MIN_PHASES, MIN_CADENCES = 3, 2
SMART_FIELDS = ["name", "kpi", "unit", "baseline", "target", "start_date", "deadline", "why"]


KpiFacts = namedtuple("KpiFacts", "pk code kind phase cadence focus formula is_vanity")


@dataclass
class Item:
    number: int
    title: str
    ok: bool
    detail: str
    fix_url: str
    fix_label: str

    def __post_init__(self):
        # Plain strings in the active language: the dashboard caches the items, and each
        # lazy string in a cached value costs a new proxy class every time it is unpickled.
        self.title, self.detail, self.fix_label = (
            None if text is None else str(text)
            for text in (self.title, self.detail, self.fix_label))


def _url(company, *names):
    """The first of these URL names that exists (other features add them), else settings."""
    for name in (*names, "company-settings"):
        try:
            return reverse(name, kwargs={"company": company.slug})
        except NoReverseMatch:
            continue
    return ""


def kgi_missing_smart_fields(kgi):
    """The SMART fields the KGI lacks (a minimal stand-in for the tree feature's check)."""
    missing = []
    for name in SMART_FIELDS:
        value = getattr(kgi, name + "_id" if name == "kpi" else name)
        if value in (None, ""):
            missing.append(name)
    return missing


def _formulas(kpis):
    out = {}
    for kpi in kpis:
        if kpi.formula.strip():
            formula = parsed_formula(kpi.formula)
            if formula is not None:
                out[kpi.code] = formula
    return out


_UNREAD = object()


def checklist(company, kgi=None, kgi_has_numbers=None, kpis=None, attainment=_UNREAD,
              team_count=None):
    """The six items for the company (the dashboard passes what it already loaded).

    ``kpis``: every KPI of the company, vanity ones too, as tuples of the KpiFacts fields
    (the dashboard keeps them in its cached payload); ``attainment``: the latest
    probability or None. Each is read here when not given.
    """
    from metrics.selectors import active_kgi
    from reviews.selectors import latest_attainment

    kgi = kgi if kgi is not None else active_kgi(company)
    if kpis is None:
        kpis = Kpi.objects.filter(company=company).values_list(*KpiFacts._fields)
    kpis = [KpiFacts._make(values) for values in kpis]
    focus = [k for k in kpis if k.focus == Focus.ACTIVE]
    kgi_url = _url(company, "kgi-edit", "kgi-detail", "kpi-tree")
    tree_url = _url(company, "kpi-tree", "kpi-list")
    numbers_url = _url(company, "measurement-import", "measurement-list", "kpi-tree")
    items = []

    # (1) one active KGI, SMART
    missing = kgi_missing_smart_fields(kgi) if kgi else SMART_FIELDS
    items.append(Item(
        1, _("One KGI, and it is SMART"), kgi is not None and not missing,
        _("Missing: %(fields)s") % {"fields": ", ".join(missing)} if missing and kgi else
        ("" if kgi else _("No active KGI.")),
        kgi_url, _("Set the KGI")))

    # (2) focus KPIs mostly leading
    leading = sum(1 for k in focus if k.kind == Kind.LEADING)
    share = leading / len(focus) if focus else 0.0
    items.append(Item(
        2, _("KPIs mostly leading, lead and lag balanced"),
        bool(focus) and share >= LEADING_SHARE_MIN,
        _("%(leading)d of %(total)d focus KPIs are leading (at least half should be).")
        % {"leading": leading, "total": len(focus)},
        tree_url, _("Review the KPI tree")))

    # (3) every focus KPI reachable from the KGI's KPI through formulas
    root = next((k.code for k in kpis if kgi and k.pk == kgi.kpi_id), None)
    tied = reachable(root, _formulas(kpis)) if root else set()
    unlinked = sorted(k.code for k in focus if k.code not in tied)
    items.append(Item(
        3, _("Every focus KPI tied to the KGI by formula"),
        bool(focus) and root is not None and not unlinked,
        _("Not tied: %(codes)s") % {"codes": ", ".join(unlinked)} if unlinked else
        ("" if root else _("The KGI has no KPI to measure it.")),
        tree_url, _("Link KPIs by formula")))

    # (4) a North Star with numbers, phase layers with cadences
    shown = [k for k in kpis if not k.is_vanity]
    phases = {k.phase for k in shown}
    cadences = {k.cadence for k in shown}
    has_numbers = kgi_has_numbers if kgi_has_numbers is not None else bool(
        kgi and kgi.kpi_id and Measurement.objects.filter(kpi_id=kgi.kpi_id).exists())
    items.append(Item(
        4, _("Dashboard has a North Star plus phase layers with cadences"),
        has_numbers and len(phases) >= MIN_PHASES and len(cadences) >= MIN_CADENCES,
        _("North Star numbers: %(ns)s; phases: %(phases)d of 4; cadences: %(cadences)d of 3.")
        % {"ns": _("yes") if has_numbers else _("none"), "phases": len(phases),
           "cadences": len(cadences)},
        numbers_url, _("Enter or import numbers")))

    # (5) summary, anomaly detection and attainment probability switched on
    beat = getattr(settings, "CELERY_BEAT_SCHEDULE", {}) or {}
    scheduled = WEEKLY_REVIEW_BEAT in beat and MONTHLY_REFORECAST_BEAT in beat
    detecting = ANOMALY_BEAT in beat
    if attainment is _UNREAD:
        attainment = latest_attainment(company)
    computed = attainment is not None
    if not (scheduled and detecting):
        why = _("The anomaly detector or the monthly reforecast is not scheduled.")
    elif not computed:
        why = _("No reforecast has been computed yet: run this month's now.")
    else:
        why = ""
    items.append(Item(
        5, _("Automatic summary, anomaly detection and attainment probability switched on"),
        scheduled and detecting and computed, why,
        _url(company, "reforecast-latest", "review-mine"), _("Open the reforecasts")))

    # (6) the weekly → monthly rhythm: a schedule runs nothing without a team to review
    # and a KGI to reforecast.
    if team_count is None:
        from teams.models import Team

        team_count = Team.objects.filter(company=company).count()
    if not team_count:
        rhythm_detail, rhythm_url, rhythm_label = (
            _("No team yet: weekly reviews open for each team."),
            reverse("company-settings", kwargs={"company": company.slug}) + "#teams",
            _("Create a team"))
    elif kgi is None:
        rhythm_detail, rhythm_url, rhythm_label = (
            _("No active KGI: the monthly reforecast has nothing to forecast."), kgi_url,
            _("Set the KGI"))
    else:
        rhythm_detail = _("Weekly: %(weekly)s · monthly: %(monthly)s") % {
            "weekly": _("scheduled") if WEEKLY_REVIEW_BEAT in beat else _("not scheduled"),
            "monthly": _("scheduled") if MONTHLY_REFORECAST_BEAT in beat else
            _("not scheduled")}
        rhythm_url, rhythm_label = (_url(company, "review-mine", "reforecast-latest"),
                                    _("Open the weekly reviews"))
    items.append(Item(
        6, _("Weekly review → monthly reforecast rhythm scheduled"),
        scheduled and bool(team_count) and kgi is not None, rhythm_detail,
        rhythm_url, rhythm_label))
    return items


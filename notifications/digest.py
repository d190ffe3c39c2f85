"""The Monday company digest for executives: where the company stands and what slipped."""
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.urls import reverse
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core import weeks
from metrics.models import Anomaly, AnomalyLabel
from metrics.selectors import STATUS_OFF_TRACK, kpi_facts, kpi_rows
from notifications.models import Channel, Kind, Notification
from notifications.services import Message
from reviews.models import (
    Decision,
    Reforecast,
    ReforecastStatus,
    ReviewStatus,
    Task,
    TaskStatus,
    WeeklyReview,
)
from teams.models import Team

LIST_LIMIT = 10


@dataclass
class DigestFacts:
    probability: float | None
    previous_probability: float | None
    off_track: list = field(default_factory=list)  # [(name_ja, name_en)]
    anomalies: list = field(default_factory=list)  # [(name_ja, name_en, period_start)]
    decisions: list = field(default_factory=list)  # [(team, text)]
    overdue: list = field(default_factory=list)  # [(title, owner, due_date)]
    skipped: list = field(default_factory=list)  # [team name]
    skipped_week: str = ""


def digest_facts(company, today: date, week_label: str) -> DigestFacts:
    """Read once per company; every executive's message is built from these."""
    latest = (Reforecast.objects.filter(company=company, status=ReforecastStatus.DONE)
              .order_by("-month").values_list("probability", flat=True).first())
    # Last week's digest remembers the probability it reported.
    _year, _week, monday = weeks.week_of(today)
    last_label = weeks.label(*weeks.week_of(monday - timedelta(days=7))[:2])
    before = (Notification.objects.filter(company=company, kind=Kind.EXECUTIVE_DIGEST,
                                          period_key=last_label, channel=Channel.IN_APP)
              .values_list("payload", flat=True).first() or {})
    rows = [r for r in kpi_rows(kpi_facts(company), today=today, company=company)
            if r.status == STATUS_OFF_TRACK]
    anomalies = (Anomaly.objects.filter(company=company, label=AnomalyLabel.ANOMALY,
                                        period_start__gte=today - timedelta(days=14))
                 .select_related("kpi").order_by("-period_start")[:LIST_LIMIT])
    decisions = (Decision.objects.filter(review__company=company,
                                         created_at__date__gte=today - timedelta(days=7))
                 .select_related("review__team").order_by("-created_at")[:LIST_LIMIT])
    overdue = (Task.objects.filter(team__company=company, status=TaskStatus.OPEN,
                                   due_date__lt=today)
               .select_related("owner").order_by("due_date")[:LIST_LIMIT])
    last_year, last_week, _monday = weeks.week_of(monday - timedelta(days=7))
    closed = set(WeeklyReview.objects.filter(company=company, iso_year=last_year,
                                             iso_week=last_week, status=ReviewStatus.CLOSED)
                 .values_list("team_id", flat=True))
    return DigestFacts(
        probability=latest, previous_probability=before.get("probability"),
        off_track=[(r.name_ja, r.name_en) for r in rows[:LIST_LIMIT]],
        anomalies=[(a.kpi.name_ja, a.kpi.name_en, a.period_start) for a in anomalies],
        decisions=[(d.review.team.name, d.text) for d in decisions],
        overdue=[(t.title, t.owner.get_full_name() or t.owner.get_username(), t.due_date)
                 for t in overdue],
        skipped=[t.name for t in Team.objects.filter(company=company).exclude(pk__in=closed)],
        skipped_week=weeks.label(last_year, last_week),
    )


def _name(pair) -> str:
    return pair[0] if (get_language() or "ja").startswith("ja") else pair[1]


def _pct(value) -> str:
    return f"{100 * value:.0f}%"


def digest_message(company, facts: DigestFacts) -> Message:
    day = lambda d: formats.date_format(d, "SHORT_DATE_FORMAT")  # noqa: E731
    if facts.probability is None:
        line = _("No reforecast has been computed yet, so there is no probability to report.")
    elif facts.previous_probability is None:
        line = _("Probability of reaching the KGI: %(now)s.") % {"now": _pct(facts.probability)}
    else:
        line = _("Probability of reaching the KGI: %(now)s (last week %(before)s).") % {
            "now": _pct(facts.probability), "before": _pct(facts.previous_probability)}
    sections = [
        {"title": _("KPIs off track"), "items": [_name(p) for p in facts.off_track]},
        {"title": _("Anomalies"), "items": [f"{_name(a)} ({day(a[2])})" for a in facts.anomalies]},
        {"title": _("Decisions taken last week"),
         "items": [f"[{team}] {text}" for team, text in facts.decisions]},
        {"title": _("Overdue tasks"),
         "items": [_("%(task)s — %(owner)s, due %(day)s") % {"task": t, "owner": o, "day": day(d)}
                   for t, o, d in facts.overdue]},
        {"title": _("Teams that skipped the review of %(week)s") % {"week": facts.skipped_week},
         "items": facts.skipped},
    ]
    message = Message(
        subject=_("Monday digest of %(company)s") % {"company": company.name},
        lines=[line], sections=sections,
        link_path=reverse("dashboard", kwargs={"company": company.slug}),
        link_label=_("Open the dashboard"), data={"probability": facts.probability})
    return message


"""What is due at an instant: every rule that decides who is told what, and when.

``notifications_due(now)`` walks every company in its own time zone and queues what has
come due (``notification_queue`` ignores what was queued before), so it may run every few
minutes, or twice, and a cron job calling ``manage.py notify`` needs nothing else.
"""
from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from core import calendar
from core.calendar import month_start
from metrics.models import Anomaly, AnomalyLabel, Focus, Kpi, Measurement
from metrics.selectors import RECENT_ANOMALY_DAYS
from metrics.sources.models import DataSource, RunStatus
from metrics.sources.services import last_runs
from notifications import messages, review_mail
from notifications.digest import digest_facts, digest_message
from notifications.models import Kind
from notifications.services import notification_queue, schedule_for
from okrs.models import KeyResult, ObjectiveStatus
from reviews.models import (
    Reforecast,
    ReforecastStatus,
    ReviewStatus,
    Task,
    TaskStatus,
    WeeklyReview,
)
from reviews.reforecast.wording import month_label
from teams.models import Company, Membership, Role, TeamMembership, TeamRole

WEEK = timedelta(days=7)
QUARTER = timedelta(days=92)
# An anomaly older than this when first seen is history, not news.
ANOMALY_FRESH = timedelta(days=3)
# A step missed by a stopped scheduler still goes out this long after its time.
CATCH_UP = timedelta(hours=24)


@dataclass
class Queued:
    """The instant being evaluated, and the rows queued for it."""

    now: datetime
    rows: list = field(default_factory=list)

    def queue(self, **kwargs):
        self.rows.extend(notification_queue(now=self.now, **kwargs))


def last_weekly_instant(local_now: datetime, weekday: int, at) -> datetime:
    """The latest weekday/time (local) at or before ``local_now``."""
    day = local_now.date() - timedelta(days=(local_now.weekday() - weekday) % 7)
    instant = local_now.replace(year=day.year, month=day.month, day=day.day, hour=at.hour,
                                minute=at.minute, second=0, microsecond=0)
    return instant if instant <= local_now else instant - WEEK


def _team_people(company):
    """{team_id: [(user, role)]} of the company's teams, one query."""
    people = defaultdict(list)
    for tm in (TeamMembership.objects.filter(team__company=company)
               .select_related("user", "team")):
        people[tm.team_id].append((tm.user, tm.role))
    return people


def _managers(people, team_id):
    return [user for user, role in people.get(team_id, []) if role == TeamRole.MANAGER]


def numbers_due(company, schedule, local_now, people, out: Queued):
    """KPI owners when their KPI has no value; a second reminder; then the team manager."""
    anchor = last_weekly_instant(local_now, schedule.numbers_weekday, schedule.numbers_time)
    elapsed = local_now - anchor
    reminder = timedelta(hours=schedule.reminder_after_hours)
    escalate = timedelta(hours=max(schedule.escalate_after_hours, schedule.reminder_after_hours))
    if elapsed >= escalate + CATCH_UP:
        return  # this week's round is over; a stale escalation days later helps nobody
    stage = ("due" if elapsed < reminder else "reminder" if elapsed < escalate
             else "escalation")
    kpis = list(Kpi.objects.filter(company=company, team__isnull=False, formula="")
                .select_related("team", "company").order_by("code"))
    periods = {kpi.pk: calendar.previous_period(anchor.date(), kpi.cadence) for kpi in kpis}
    present = set(Measurement.objects.filter(kpi__in=kpis, period_start__in=set(periods.values()))
                  .order_by().values_list("kpi_id", "period_start"))
    missing = defaultdict(list)
    for kpi in kpis:
        if (kpi.pk, periods[kpi.pk]) not in present:
            missing[kpi.team].append((kpi, periods[kpi.pk]))
    kind = {"due": Kind.NUMBERS_DUE, "reminder": Kind.NUMBERS_REMINDER,
            "escalation": Kind.NUMBERS_ESCALATION}[stage]
    for team, items in missing.items():
        recipients = (_managers(people, team.pk) if stage == "escalation"
                      else [user for user, _role in people.get(team.pk, [])])
        for user in recipients:
            out.queue(
                company=company, recipient=user, kind=kind, object_key=f"team:{team.pk}",
                period_key=anchor.date().isoformat(),
                build=lambda team=team, items=items: messages.numbers_missing(
                    stage=stage, team=team, kpis_with_periods=items))


def checkins_due(company, schedule, local_now, out: Queued):
    """With the numbers: the objective's owner, for each key result without a check-in
    this past week."""
    anchor = last_weekly_instant(local_now, schedule.numbers_weekday, schedule.numbers_time)
    if local_now - anchor >= CATCH_UP:
        return
    krs = (KeyResult.objects.filter(objective__company=company,
                                    objective__status=ObjectiveStatus.ACTIVE,
                                    objective__owner__isnull=False,
                                    objective__quarter_start__lte=anchor.date(),
                                    objective__quarter_start__gt=anchor.date() - QUARTER)
           .exclude(checkins__created_at__gte=anchor - WEEK)
           .select_related("objective__owner", "objective__team", "objective__company")
           .distinct())
    for kr in krs:
        out.queue(company=company, recipient=kr.objective.owner, kind=Kind.KR_CHECKIN_DUE,
                  object_key=f"kr:{kr.pk}", period_key=anchor.date().isoformat(),
                  build=lambda kr=kr: messages.checkin_due(key_result=kr,
                                                           objective=kr.objective))


def review_due(company, schedule, local_now, people, out: Queued):
    """The manager, when the team's review of this week is not closed by the set time."""
    anchor = last_weekly_instant(local_now, schedule.review_weekday, schedule.review_time)
    year, week, monday = calendar.week_of(anchor.date())
    if calendar.week_of(local_now.date())[2] != monday:
        return  # the deadline belongs to last week; this week's has not come yet
    closed = set(WeeklyReview.objects.filter(company=company, iso_year=year, iso_week=week,
                                             status=ReviewStatus.CLOSED)
                 .values_list("team_id", flat=True))
    label = calendar.week_label(year, week)
    for team in company.teams.exclude(pk__in=closed):
        for user in _managers(people, team.pk):
            out.queue(
                company=company, recipient=user, kind=Kind.REVIEW_DUE,
                object_key=f"team:{team.pk}", period_key=label,
                build=lambda team=team: messages.review_due(team=team, review_label=label))


def tasks_due(company, schedule, local_now, people, out: Queued):
    """Due tomorrow and overdue (owner); overdue for a week (the team's managers)."""
    today = local_now.date()
    if local_now.time() < schedule.daily_time:
        today -= timedelta(days=1)  # today's reminders go out at the set time
    tasks = (Task.objects.filter(team__company=company, status=TaskStatus.OPEN,
                                 due_date__lte=today + timedelta(days=1))
             .select_related("owner", "team"))
    for task in tasks:
        key = {"company": company, "object_key": f"task:{task.pk}",
               "period_key": task.due_date.isoformat()}
        if task.due_date == today + timedelta(days=1):
            out.queue(recipient=task.owner, kind=Kind.TASK_DUE_TOMORROW, **key,
                                       build=lambda t=task: messages.task(
                                           stage="tomorrow", task=t, company=company))
        elif task.due_date < today:
            out.queue(recipient=task.owner, kind=Kind.TASK_OVERDUE, **key,
                                       build=lambda t=task: messages.task(
                                           stage="overdue", task=t, company=company))
        if task.due_date <= today - WEEK:
            for manager in _managers(people, task.team_id):
                if manager.pk == task.owner_id:
                    continue
                out.queue(recipient=manager, kind=Kind.TASK_OVERDUE_WEEK,
                                           **key, build=lambda t=task: messages.task(
                                               stage="week", task=t, company=company))


def anomalies_due(company, local_now, people, out: Queued):
    """A focus KPI's anomaly: its team's members and manager, once per anomaly."""
    since = local_now.date() - timedelta(days=RECENT_ANOMALY_DAYS)
    found = (Anomaly.objects.filter(company=company, label=AnomalyLabel.ANOMALY,
                                    kpi__focus=Focus.ACTIVE, kpi__team__isnull=False,
                                    period_start__gte=since, detected_at__gte=out.now - ANOMALY_FRESH)
             .select_related("kpi", "kpi__company"))
    for anomaly in found:
        for user, _role in people.get(anomaly.kpi.team_id, []):
            out.queue(
                company=company, recipient=user, kind=Kind.ANOMALY,
                # Keyed by KPI and period: the detector rewrites its rows, not the event.
                object_key=f"anomaly:{anomaly.kpi_id}:{anomaly.period_start.isoformat()}",
                period_key=anomaly.period_start.isoformat(),
                build=lambda a=anomaly: messages.anomaly(anomaly=a, kpi=a.kpi))


def sources_failed_due(company, local_now, out: Queued):
    """A source whose latest run failed: its owner, once a day while it keeps failing."""
    sources = list(DataSource.objects.filter(company=company, active=True,
                                             owner__isnull=False).select_related("owner"))
    for source_id, run in last_runs(sources).items():
        if run.status != RunStatus.FAILED or run.finished_at < out.now - ANOMALY_FRESH:
            continue
        source = next(s for s in sources if s.pk == source_id)
        source.company = company
        out.queue(company=company, recipient=source.owner, kind=Kind.SOURCE_FAILED,
                  object_key=f"source:{source.pk}", period_key=local_now.date().isoformat(),
                  build=lambda s=source, r=run: messages.source_failed(source=s, run=r))


def _executives(company):
    return [m.user for m in Membership.objects.filter(
        company=company, role__in=[Role.EXECUTIVE, Role.ADMIN]).select_related("user")]


def digest_due(company, schedule, local_now, out: Queued):
    """Monday, at the set time: the company digest to executives (and admins)."""
    if local_now.weekday() != 0 or local_now.time() < schedule.digest_time:
        return
    label = calendar.week_label(*calendar.week_of(local_now.date())[:2])
    # Read the facts only if someone's digest is still to be written, and then once.
    facts = functools.cache(lambda: digest_facts(company, local_now.date(), label))
    for user in _executives(company):
        out.queue(company=company, recipient=user, kind=Kind.EXECUTIVE_DIGEST,
                                   object_key=f"company:{company.pk}", period_key=label,
                                   build=lambda: digest_message(company, facts()))


def reforecast_report_due(company, local_now, out: Queued):
    """This month's reforecast, once computed: its report to executives, PDF attached."""
    row = Reforecast.objects.filter(company=company, month=month_start(local_now.date()),
                                    status=ReforecastStatus.DONE).first()
    if row is None:
        return
    for user in _executives(company):
        out.queue(
            company=company, recipient=user, kind=Kind.REFORECAST_REPORT,
            object_key=f"reforecast:{row.pk}", period_key=row.month_key,
            build=lambda: messages.reforecast_report(row=row, company=company,
                                                     month_label=month_label(row.month)))


def notifications_due(now: datetime | None = None, *, companies=None) -> list:
    """Queue everything due at ``now`` for every company; the rows created now."""
    now = now or timezone.now()
    out = Queued(now=now)
    for company in companies if companies is not None else Company.objects.all():
        schedule = schedule_for(company)
        local_now = now.astimezone(company.tzinfo)
        people = _team_people(company)
        numbers_due(company, schedule, local_now, people, out)
        checkins_due(company, schedule, local_now, out)
        review_due(company, schedule, local_now, people, out)
        tasks_due(company, schedule, local_now, people, out)
        anomalies_due(company, local_now, people, out)
        sources_failed_due(company, local_now, out)
        digest_due(company, schedule, local_now, out)
        reforecast_report_due(company, local_now, out)
    out.rows += review_mail.review_mail_queue(now, companies=companies)
    return out.rows

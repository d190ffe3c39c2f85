"""Reads the review pages share: the numbers of a week, carry-over, the inbox, history."""
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Exists, Prefetch, Q
from django.utils import timezone, translation

from core.calendar import team_today, week_of
from core.prepared import prepared_cursor
from metrics import cards as metric_cards
from metrics import selectors as metric_selectors
from metrics.assist import external_configured
from metrics.facts.store import POINTS
from metrics.models import Focus, Kpi, Measurement
from reviews.models import (
    Decision,
    Note,
    Reforecast,
    ReforecastStatus,
    ReviewStatus,
    Task,
    TaskStatus,
    WeeklyReview,
)
from reviews.page_reads import numbers_window, review_decisions, review_rows, review_tasks
from reviews.summary import build_summary
from teams.dataversion import cached
from teams.models import TeamMembership, TeamRole

SPARK_WEEKS = 12


def team_focus_kpis(team):
    return Kpi.objects.filter(team=team, focus=Focus.ACTIVE, is_vanity=False).order_by("code")


_FOCUS_SQL: list = []  # (SQL, position of the team's id among its parameters, parameters)
_ANY_TEAM = -7007  # the team id the statement is compiled with, replaced at each read


def focus_card_rows(company, team):
    """``metrics.cards.card_rows`` of the team's focus KPIs. On PostgreSQL the ORM compiles
    the statement once per process (it cost more than the read) and each page runs it with
    its team's id; the rows come back as card_rows reads them (JSON as text)."""
    if connection.vendor != "postgresql":
        return metric_cards.card_rows(company, team_focus_kpis(team))
    if not _FOCUS_SQL:
        sql, params = (Kpi.objects.filter(team_id=_ANY_TEAM, focus=Focus.ACTIVE, is_vanity=False)
                       .order_by("code").values_list(*metric_selectors.ROW_FIELDS, *metric_cards.FACT_COLUMNS)
                       .query.sql_with_params())
        _FOCUS_SQL.append((sql, list(params).index(_ANY_TEAM), list(params)))
    sql, at, params = _FOCUS_SQL[0]
    with prepared_cursor() as cursor:
        cursor.execute(sql, [*params[:at], team.pk, *params[at + 1:]])
        return metric_cards.rows_from(company, cursor.fetchall())


def team_decision_kpis(team):
    """KPIs a decision may point at: the team's own (focus first), else the company's."""
    own = Kpi.objects.filter(company_id=team.company_id, team=team)
    return Kpi.objects.filter(Q(team=team) | ~Exists(own), company_id=team.company_id
                              ).order_by("focus", "code")


def decision_kpi_choices(team):
    """[(id, name in the active language)] of ``team_decision_kpis``: read from the KPIs, so
    kept under the company's data token (a KPI or team change moves it)."""
    name = "name_ja" if (translation.get_language() or "ja").startswith("ja") else "name_en"
    return cached(team.company, "decision-kpis", (team.pk,),
                  lambda: list(team_decision_kpis(team).values_list("pk", name)))


def anomaly_flags(company, kpi_ids, since, until):
    """{kpi_id: text} for the KPIs whose last week before ``until`` was flagged by the detector.

    ``since`` is the start of the numbers the review shows; only the latest week is flagged,
    an old anomaly is already history in the sparkline.
    """
    flagged = metric_selectors.anomalies_by_kpi(
        kpi_ids, since=max(since, until - timedelta(days=7)), until=until)
    return {kpi_id: items[-1]["label"] for kpi_id, items in flagged.items()}


def _pct(new, old):
    if new is None or old is None or old == 0:
        return None
    return round((float(new) - float(old)) / abs(float(old)) * 100.0, 1)


def live_numbers(review, kpis=None):
    """The team's focus KPIs as of the review's week: last complete period, change, target.

    Read from the KPIs' stored facts (metrics.cards: their last points, one query with the
    KPIs); only a KPI whose stored points don't reach back to the first week shown (a daily
    KPI) reads its measurements, and only a number older than the fact's latest reads the
    target plan.
    """
    since = review.week_start - timedelta(weeks=SPARK_WEEKS + 1)
    company = review.team.company
    if kpis is None:
        rows = focus_card_rows(company, review.team)
    else:
        rows = metric_cards.card_rows(company, Kpi.objects.filter(
            pk__in=[k.pk for k in kpis]).order_by("code"))
    if not rows:
        return []
    series = {}
    short = []
    for row in rows:
        points = row.points
        if len(points) < POINTS or (points and points[0][0] <= since):
            series[row.pk] = [(p, v) for p, v in points if since <= p < review.week_start]
        else:
            short.append(row.pk)
    plan = None
    if short:
        window, plan = numbers_window(company, short, [r.pk for r in rows], since,
                                      review.week_start)
        for kpi_id, period_start, value in window:
            series.setdefault(kpi_id, []).append((period_start, value))
    # Each number is compared with its own period's target (a week straddling two months
    # gets each month's share by days), read through the one target plan; the fact holds
    # the target of its latest period.
    older = [r.pk for r in rows if series.get(r.pk) and series[r.pk][-1][0] != r.latest_period]
    if older and plan is None:
        plan = metric_selectors.target_plan(company, older)
    # The detector's flags are tracked by the company's data token: kept under it.
    ids = [r.pk for r in rows]
    flags = cached(company, "review-flags", (",".join(map(str, ids)), since, review.week_start),
                   lambda: anomaly_flags(review.company_id, ids, since, review.week_start))
    out = []
    for kpi in rows:
        points = series.get(kpi.pk, [])
        period_start, value = points[-1] if points else (None, None)
        previous = points[-2][1] if len(points) > 1 else None
        if period_start is None:
            target = None
        elif period_start == kpi.latest_period:
            target = kpi.target
        else:
            target = plan.at(kpi, None, period_start)
        out.append({
            "kpi_id": kpi.pk, "code": kpi.code, "name_ja": kpi.name_ja, "name_en": kpi.name_en,
            "unit": kpi.unit, "direction": kpi.direction, "cadence": kpi.cadence,
            "period_start": period_start.isoformat() if period_start else None,
            "value": str(value) if value is not None else None,
            "previous": str(previous) if previous is not None else None,
            "target": str(round(target, 4)) if target is not None else None,
            "change_pct": _pct(value, previous),
            "vs_target_pct": _pct(value, target),
            "spark": [float(v) for _p, v in points[-SPARK_WEEKS:]],
            "anomaly": flags.get(kpi.pk, ""),
        })
    return out


def decorate_numbers(rows):
    """Add what the template shows: the name in the active language and good/bad verdicts."""
    ja = (translation.get_language() or "ja").startswith("ja")
    out = []
    for row in rows:
        sign = -1 if row["direction"] == "lower" else 1
        change, vs = row.get("change_pct"), row.get("vs_target_pct")
        out.append({
            **row,
            "name": row["name_ja"] if ja else row["name_en"],
            "change_good": None if not change else change * sign > 0,
            "on_target": None if vs is None else vs * sign >= 0,
        })
    return out


def review_numbers(review):
    """Rows for the numbers table: frozen when closed (with corrections noted), else live."""
    if review.status != ReviewStatus.CLOSED or not review.frozen_numbers:
        return with_periods(decorate_numbers(live_numbers(review)), review), False
    frozen = review.frozen_numbers
    current = {}
    ids = [row["kpi_id"] for row in frozen if row.get("period_start")]
    for kpi_id, period_start, value in Measurement.objects.filter(
        kpi_id__in=ids, period_start__in={row["period_start"] for row in frozen
                                          if row.get("period_start")}
    ).order_by().values_list("kpi_id", "period_start", "value"):
        current[(kpi_id, period_start.isoformat())] = value
    rows = []
    for row in frozen:
        now = current.get((row["kpi_id"], row.get("period_start")))
        corrected = (now is not None and row.get("value") is not None
                     and Decimal(row["value"]) != now)
        rows.append({**row, "corrected_to": str(now) if corrected else None})
    return with_periods(decorate_numbers(rows), review), True


def with_periods(rows, review):
    """Say which period each number is (2026-W48) and flag a weekly or daily KPI whose last
    week has no number yet: the table then shows an older value, and says so."""
    last_week = review.week_start - timedelta(days=7)
    for row in rows:
        cadence = row.get("cadence") or "weekly"
        day = date.fromisoformat(row["period_start"]) if row.get("period_start") else None
        row["period_text"] = metric_selectors.as_of_label(day, cadence)
        row["last_week_missing"] = cadence != "monthly" and (day is None or day < last_week)
    return rows


def previous_review(review):
    return review_neighbours(review)[0]


def review_neighbours(review):
    """(last week's review or None, next week's or None) of the team, one query (none when
    the review was read with them, by ``review_with_neighbours``)."""
    if getattr(review, "neighbours", None) is not None:
        return review.neighbours
    weeks = [week_of(review.week_start + timedelta(days=days)) for days in (-7, 7)]
    found = {(r.iso_year, r.iso_week): r for r in WeeklyReview.objects.filter(
        Q(iso_year=weeks[0].year, iso_week=weeks[0].week)
        | Q(iso_year=weeks[1].year, iso_week=weeks[1].week), team_id=review.team_id)}
    return tuple(found.get((w.year, w.week)) for w in weeks)


def last_week_decisions(review, prev=None):
    """Last week's decisions, each with how its KPI moved since it was taken (``prev``:
    last week's review when already read)."""
    if prev is None:
        return []
    decisions = review_decisions(prev)
    if not decisions:
        return []
    values = defaultdict(list)
    for kpi_id, period_start, value in (
        Measurement.objects.filter(kpi_id__in={d.kpi_id for d in decisions},
                                   period_start__lt=review.week_start,
                                   period_start__gte=prev.week_start - timedelta(days=14))
        .order_by("period_start").values_list("kpi_id", "period_start", "value")
    ):
        values[kpi_id].append((period_start, value))
    out = []
    for decision in decisions:
        points = values.get(decision.kpi_id, [])
        before = [v for p, v in points if p < prev.week_start]
        after = [v for p, v in points if p >= prev.week_start]
        change = _pct(after[-1], before[-1]) if before and after else None
        good = None if not change else change * decision.kpi.sign > 0
        out.append({"decision": decision, "change_pct": change, "moved_good": good})
    return out


def carried_tasks(review):
    """Open tasks from earlier weeks of the team (across year ends: compared by Monday)."""
    return (
        Task.objects.filter(team_id=review.team_id, status=TaskStatus.OPEN,
                            review__week_start__lt=review.week_start)
        .select_related("owner", "review", "decision__kpi").order_by("due_date", "pk")
    )


def open_customer_tasks(team) -> dict:
    """{customer id: open follow-up task} for the team's customers (the at-risk list's links)."""
    return {task.customer_id: task for task in Task.objects.filter(
        customer__team=team, status=TaskStatus.OPEN).select_related("review", "owner")}


def review_page(review, today=None):
    """Everything the review page shows, in meeting order."""
    today = today or team_today(review.team)
    numbers, frozen = review_numbers(review)
    prev, following = review_neighbours(review)
    notes, decisions, owners = review_rows(review)
    carried = review_tasks(review, decisions)  # and each decision's task_list
    for task in carried:
        task.overdue = task.due_date < today
    overdue = [(t.title, t.owner.get_full_name() or t.owner.username, t.due_date.isoformat())
               for t in carried if t.overdue]
    note_pairs = [(n.kind, n.text) for n in notes]
    draft = build_summary(numbers=numbers, notes=note_pairs,
                          overdue_tasks=overdue, language=review.team.company.language or "ja")
    drafted_by = ""
    if not review.summary and external_configured():
        from reviews.summary_assist import draft_summary

        draft, drafted_by = draft_summary(review=review, numbers=numbers, notes=note_pairs,
                                          overdue=overdue, fallback=draft)
    return {
        "numbers": numbers, "frozen": frozen, "notes": notes, "decisions": decisions,
        "carried": carried, "draft_summary": draft, "draft_summary_by": drafted_by,
        "last_week": last_week_decisions(review, prev) if prev else [], "today": today,
        "prev_review": prev, "next_review": following,
        "undecided": [d for d in decisions if not d.task_list], "owner_choices": owners,
    }


def my_tasks(company, user, today):
    """The user's open tasks across teams (overdue flagged), then those finished lately."""
    recent = timezone.now() - timedelta(days=14)
    qs = Task.objects.filter(team__company=company, owner=user).select_related(
        "team", "review", "decision__kpi"
    )
    open_tasks = list(qs.filter(status=TaskStatus.OPEN).order_by("due_date", "pk"))
    for task in open_tasks:
        task.overdue = task.due_date < today
    finished = qs.filter(Q(status=TaskStatus.DONE, done_at__gte=recent)
                         | Q(status=TaskStatus.DROPPED, due_date__gte=today - timedelta(days=14)))
    return {"open": open_tasks, "finished": list(finished.order_by("-due_date", "-pk")[:20])}


def inbox(company, user, today=None):
    """Reviews waiting for me (as manager), my tasks due this week, notes that mention me."""
    today = today or timezone.now().astimezone(company.tzinfo).date()
    week_end = week_of(today).sunday
    managed = TeamMembership.objects.filter(user=user, team__company=company,
                                            role=TeamRole.MANAGER).values("team_id")
    return {
        "today": today,
        "reviews_waiting": list(
            WeeklyReview.objects.filter(company=company, team_id__in=managed,
                                        status=ReviewStatus.OPEN, week_start__lte=today)
            .select_related("team").order_by("week_start", "team__name")
        ),
        "tasks_due": list(
            Task.objects.filter(team__company=company, owner=user, status=TaskStatus.OPEN,
                                due_date__lte=week_end)
            .select_related("team").order_by("due_date", "pk")
        ),
        "mentions": list(
            Note.objects.filter(review__company=company, mentions=user,
                                created_at__gte=timezone.now() - timedelta(days=14))
            .select_related("review__team", "author").order_by("-created_at")[:20]
        ),
    }


def review_history(team, kpi_code="", quarter=None, limit=60):
    """Past reviews of a team with their decisions, optionally only those about one KPI."""
    reviews = WeeklyReview.objects.filter(team=team).order_by("-week_start")
    decisions = Decision.objects.filter(review__team=team).select_related("kpi").prefetch_related(
        Prefetch("tasks", queryset=Task.objects.select_related("owner"))
    )
    if kpi_code:
        reviews = reviews.filter(decisions__kpi__code=kpi_code).distinct()
        decisions = decisions.filter(kpi__code=kpi_code)
    if quarter:  # a fiscal core.calendar.Quarter
        start, end = quarter.start, quarter.end + timedelta(days=1)
        reviews = reviews.filter(week_start__gte=start, week_start__lt=end)
        decisions = decisions.filter(review__week_start__gte=start, review__week_start__lt=end)
    reviews = list(reviews[:limit])
    by_review = defaultdict(list)
    for decision in decisions.filter(review__in=reviews):
        by_review[decision.review_id].append(decision)
    return [(review, by_review.get(review.pk, [])) for review in reviews]


def team_open_tasks(team, limit=8):
    """The team's open tasks, soonest due first (one query)."""
    return list(Task.objects.filter(team=team, status=TaskStatus.OPEN)
                .select_related("owner").order_by("due_date", "pk")[:limit])


def team_review_status(team):
    """This ISO week's review of the team with its decision count, or None if not opened."""
    iso_year, iso_week, _monday = week_of(team_today(team))
    return (WeeklyReview.objects.filter(team=team, iso_year=iso_year, iso_week=iso_week)
            .annotate(decision_count=Count("decisions")).first())


def attainment_history(company, months=12):
    """The monthly reforecasts' probabilities (0–1), oldest first, at most ``months`` (one query)."""
    newest = list(Reforecast.objects.filter(company=company, status=ReforecastStatus.DONE)
                  .order_by("-month").values_list("probability", flat=True)[:months])
    return newest[::-1]


def latest_attainment(company):
    """The latest monthly reforecast's probability (0–1) of reaching the KGI, or None."""
    return (Reforecast.objects.filter(company=company, status=ReforecastStatus.DONE)
            .order_by("-month").values_list("probability", flat=True).first())

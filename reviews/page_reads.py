"""The weekly review page's reads in SQL: its rows (notes, decisions, tasks), its numbers' window.

Through the ORM each of these reads cost the page more in building its SQL than in the
database (select_related joins, and the models' default orderings by review, which join
the review, its team and its company only to sort the rows of one review). Here each is a
statement written once, prepared on PostgreSQL (core.prepared: planning it cost more than
running it) and read as ``Model.objects.raw`` reads it (values converted as the ORM
converts them, on PostgreSQL and SQLite), and the related objects the page shows —
a note's author, a decision's KPI, a task's owner, week and decision — are built from the
same row, with only the fields the page reads (any other would be read on access).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connection

from core.calendar import week_of
from core.prepared import prepared_cursor, raw_models
from metrics import selectors as metric_selectors
from metrics.facts.store import plan_from_rows
from metrics.models import Kpi, Measurement
from reviews.models import Decision, Note, Task, TaskStatus, WeeklyReview

User = get_user_model()

_USER = "u.username AS u_username, u.first_name AS u_first_name, u.last_name AS u_last_name"
_KPI = ("k.code AS k_code, k.name_ja AS k_name_ja, k.name_en AS k_name_en, "
        "k.direction AS k_direction")

# A team's reviews of three ISO weeks (last, this and next), with who closed them. Its
# columns are named (a prepared statement's result must not change with a migration).
_REVIEW = ", ".join(f"r.{f.column}" for f in WeeklyReview._meta.concrete_fields)
REVIEWS_SQL = f"""
SELECT {_REVIEW}, {_USER}
  FROM reviews_weeklyreview r LEFT JOIN auth_user u ON u.id = r.closed_by_id
 WHERE r.team_id = %s AND ((r.iso_year = %s AND r.iso_week = %s)
                        OR (r.iso_year = %s AND r.iso_week = %s)
                        OR (r.iso_year = %s AND r.iso_week = %s))"""

OWNERS_SQL = """
SELECT u.id, u.first_name, u.last_name, u.username
  FROM teams_teammembership m JOIN auth_user u ON u.id = m.user_id
 WHERE m.team_id = %s
 ORDER BY u.username"""

NOTES_SQL = f"""
SELECT n.id, n.review_id, n.kind, n.author_id, n.text, n.created_at, {_USER}
  FROM reviews_note n LEFT JOIN auth_user u ON u.id = n.author_id
 WHERE n.review_id = %s
 ORDER BY n.created_at, n.id"""

DECISIONS_SQL = f"""
SELECT d.id, d.review_id, d.kpi_id, d.text, d.rationale, d.keep_course, d.created_at, {_KPI}
  FROM reviews_decision d JOIN metrics_kpi k ON k.id = d.kpi_id
 WHERE d.review_id = %s
 ORDER BY d.created_at, d.id"""

# The tasks of the review's decisions and the team's open tasks of earlier weeks.
TASKS_SQL = f"""
SELECT t.id, t.team_id, t.review_id, t.decision_id, t.customer_id, t.title, t.owner_id,
       t.due_date, t.status, t.drop_reason, {_USER},
       r.iso_year AS r_iso_year, r.iso_week AS r_iso_week,
       d.text AS d_text, d.kpi_id AS d_kpi_id, {_KPI},
       (t.status = %s AND r.week_start < %s) AS is_carried
  FROM reviews_task t
  JOIN auth_user u ON u.id = t.owner_id
  LEFT JOIN reviews_weeklyreview r ON r.id = t.review_id
  LEFT JOIN reviews_decision d ON d.id = t.decision_id
  LEFT JOIN metrics_kpi k ON k.id = d.kpi_id
 WHERE t.team_id = %s
   AND (d.review_id = %s OR (t.status = %s AND r.week_start < %s))
 ORDER BY t.due_date, t.id"""


# The review's notes and decisions and the team's owners in one round trip (PostgreSQL):
# each read alone costs the page more in its round trip than in the database.
ROWS_SQL = f"""
SELECT (SELECT coalesce(json_agg(x ORDER BY x.created_at, x.id), '[]') FROM ({NOTES_SQL.split(" ORDER BY")[0]}) x),
       (SELECT coalesce(json_agg(x ORDER BY x.created_at, x.id), '[]') FROM ({DECISIONS_SQL.split(" ORDER BY")[0]}) x),
       (SELECT coalesce(json_agg(json_build_array(x.id, x.first_name, x.last_name, x.username)
                                 ORDER BY x.username), '[]') FROM ({OWNERS_SQL.split(" ORDER BY")[0]}) x)"""


def _partial(model, values: dict):
    """An instance of ``model`` with these fields loaded (the others deferred)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(DEFAULT_DB_ALIAS, names, [values[name] for name in names])


def _user(row, pk):
    if pk is None:
        return None
    return _partial(User, {"id": pk, "username": row.u_username,
                           "first_name": row.u_first_name, "last_name": row.u_last_name})


def _kpi(row, pk):
    return _partial(Kpi, {"id": pk, "code": row.k_code, "name_ja": row.k_name_ja,
                          "name_en": row.k_name_en, "direction": row.k_direction})


def review_with_neighbours(team, monday):
    """The team's review of the week starting ``monday`` (or None) with who closed it, and
    on it ``neighbours``: (last week's review or None, next week's or None) — one read."""
    weeks = [week_of(monday + timedelta(days=days)) for days in (-7, 0, 7)]
    found = {}
    for review in raw_models(
            WeeklyReview, REVIEWS_SQL, [team.pk, *(part for w in weeks for part in (w.year, w.week))]):
        review.closed_by = _user(review, review.closed_by_id)
        found[(review.iso_year, review.iso_week)] = review
    prev, review, following = (found.get((w.year, w.week)) for w in weeks)
    if review is not None:
        review.neighbours = (prev, following)
    return review


def team_owner_choices(team) -> list:
    """[(user id, full name or username)] of the team's members by username."""
    with connection.cursor() as cursor:
        cursor.execute(OWNERS_SQL, [team.pk])
        rows = cursor.fetchall()
    return [(pk, f"{first} {last}".strip() or username) for pk, first, last, username in rows]


def review_rows(review):
    """(notes, decisions, owner choices) as ``review_notes``, ``review_decisions`` and
    ``team_owner_choices`` give them: one statement on PostgreSQL, three reads elsewhere."""
    if connection.vendor != "postgresql":
        return review_notes(review), review_decisions(review), team_owner_choices(review.team)
    with prepared_cursor() as cursor:
        cursor.execute(ROWS_SQL, [review.pk, review.pk, review.team_id])
        notes, decisions, owners = cursor.fetchone()
    notes = [_from_json(Note, row) for row in notes]
    decisions = [_from_json(Decision, row) for row in decisions]
    return (_with_authors(notes), _with_kpis(decisions),
            [(pk, f"{first} {last}".strip() or username) for pk, first, last, username in owners])


class _Row(dict):
    """A JSON row read like a raw() row: its columns as attributes."""

    __getattr__ = dict.__getitem__


def _from_json(model, row):
    row = _Row(row, created_at=datetime.fromisoformat(row["created_at"]))
    instance = _partial(model, row)
    instance._row = row
    return instance


def review_notes(review) -> list:
    """The review's notes in the order they were written, each with its author."""
    return _with_authors(list(Note.objects.raw(NOTES_SQL, [review.pk])))


def _with_authors(notes):
    for note in notes:
        row = getattr(note, "_row", note)
        note.author = _user(row, note.author_id)
        # A note whose author's account was deleted keeps its text, signed by no one.
        note.author_name = (note.author.get_full_name() or note.author.username
                            if note.author else "")
    return notes


def review_decisions(review) -> list:
    """The review's decisions in the order they were taken, each with its KPI."""
    return _with_kpis(list(Decision.objects.raw(DECISIONS_SQL, [review.pk])))


def _with_kpis(decisions):
    for decision in decisions:
        decision.kpi = _kpi(getattr(decision, "_row", decision), decision.kpi_id)
    return decisions


def review_tasks(review, decisions) -> list:
    """The team's open tasks from earlier weeks (soonest due first); on the way, each of
    ``decisions`` gets ``task_list``: its tasks, soonest due first."""
    by_decision = {decision.pk: decision for decision in decisions}
    for decision in decisions:
        decision.task_list = []
    carried = []
    open_before = [TaskStatus.OPEN, review.week_start]
    for task in raw_models(Task, TASKS_SQL, [*open_before, review.team_id, review.pk,
                                             *open_before]):
        task.owner = _user(task, task.owner_id)
        task.review = None if task.review_id is None else _partial(WeeklyReview, {
            "id": task.review_id, "iso_year": task.r_iso_year, "iso_week": task.r_iso_week})
        if task.decision_id is not None:
            task.decision = _partial(Decision, {"id": task.decision_id, "text": task.d_text,
                                                "kpi_id": task.d_kpi_id})
            task.decision.kpi = _kpi(task, task.d_kpi_id)
        if task.decision_id in by_decision:
            by_decision[task.decision_id].task_list.append(task)
        if task.is_carried:
            carried.append(task)
    return carried


# The numbers of some KPIs in [since, until) and the current targets of others, in one
# statement: through the ORM, building the two queries cost more than reading them.
WINDOW_SQL = """
SELECT '', kpi_id, period_start, value FROM metrics_measurement
 WHERE kpi_id = ANY(%s::bigint[]) AND period_start >= %s AND period_start < %s
UNION ALL
SELECT period_kind, kpi_id, period_start, value FROM metrics_target
 WHERE superseded_at IS NULL AND kpi_id = ANY(%s::bigint[])
 ORDER BY 2, 3"""


def numbers_window(company, ids, target_ids, since, until):
    """([(kpi_id, period_start, value)] of ``ids`` in [since, until) by KPI and period, the
    target plan of ``target_ids``): one statement on PostgreSQL, two queries elsewhere."""
    if connection.vendor != "postgresql":
        return (list(Measurement.objects.filter(kpi_id__in=ids, period_start__lt=until,
                                                period_start__gte=since)
                     .order_by("kpi_id", "period_start")
                     .values_list("kpi_id", "period_start", "value")),
                metric_selectors.target_plan(company, target_ids))
    with prepared_cursor() as cursor:
        cursor.execute(WINDOW_SQL, [list(ids), since, until, list(target_ids)])
        rows = cursor.fetchall()
    return ([row[1:] for row in rows if not row[0]],
            plan_from_rows(company, ((kpi_id, kind, start, value)
                                     for kind, kpi_id, start, value in rows if kind)))

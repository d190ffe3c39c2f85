"""The team page's live reads — open tasks, this week's review, members — in one statement.

They are read on every load (tasks and reviews are not under the data token), and as three
ORM queries each paid its compile and its round trip. On PostgreSQL one UNION ALL brings
the three; elsewhere the three selectors run as before. What the page gets is the same:
model instances (unsaved, built from the row) with what the template reads.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connection

from core.calendar import team_today, week_of
from core.prepared import prepared_cursor
from reviews import selectors as review_selectors
from reviews.models import Task, TaskStatus, WeeklyReview
from teams.models import TeamMembership
from teams.selectors import team_members

OPEN_TASKS = 8  # as reviews.selectors.team_open_tasks

# Rows: kind ('t' task, 'r' review, 'm' member), its order, id, a text (title, status or
# role), a date (due), a count (decisions), the user's username, first and last names.
TEAM_LIVE_SQL = """
SELECT 't', row_number() OVER (ORDER BY t.due_date, t.id), t.id, t.title, t.due_date,
       NULL::bigint, u.id, u.username, u.first_name, u.last_name
  FROM (SELECT * FROM reviews_task WHERE team_id = %(team)s AND status = %(open)s
         ORDER BY due_date, id LIMIT %(limit)s) t
  JOIN auth_user u ON u.id = t.owner_id
UNION ALL
SELECT 'r', 0, r.id, r.status, NULL,
       (SELECT COUNT(*) FROM reviews_decision d WHERE d.review_id = r.id), NULL, NULL, NULL, NULL
  FROM reviews_weeklyreview r
 WHERE r.team_id = %(team)s AND r.iso_year = %(year)s AND r.iso_week = %(week)s
UNION ALL
SELECT 'm', row_number() OVER (ORDER BY tm.role DESC, u.username), tm.id, tm.role, NULL, NULL,
       u.id, u.username, u.first_name, u.last_name
  FROM teams_teammembership tm JOIN auth_user u ON u.id = tm.user_id
 WHERE tm.team_id = %(team)s
ORDER BY 1, 2
"""


def team_live(team):
    """(open tasks (the first OPEN_TASKS, soonest due first), this ISO week's review with its
    decision_count or None, the members by role then username): one query on PostgreSQL."""
    if connection.vendor != "postgresql":
        return (review_selectors.team_open_tasks(team, limit=OPEN_TASKS),
                review_selectors.team_review_status(team), list(team_members(team)))
    iso_year, iso_week, _monday = week_of(team_today(team))
    with prepared_cursor() as cursor:
        cursor.execute(TEAM_LIVE_SQL, {"team": team.pk, "open": TaskStatus.OPEN,
                                       "limit": OPEN_TASKS, "year": iso_year, "week": iso_week})
        found = cursor.fetchall()
    user_model = get_user_model()
    tasks, review, members = [], None, []
    for kind, _order, pk, text, day, count, user_id, username, first, last in found:
        user = user_model(id=user_id, username=username, first_name=first, last_name=last) \
            if user_id is not None else None
        if kind == "t":
            tasks.append(Task(id=pk, team=team, title=text, due_date=day, owner=user,
                              status=TaskStatus.OPEN))
        elif kind == "r":
            review = WeeklyReview(id=pk, team=team, company_id=team.company_id,
                                  iso_year=iso_year, iso_week=iso_week, status=text)
            review.decision_count = count
        else:
            members.append(TeamMembership(id=pk, team=team, user=user, role=text))
    return tasks, review, members

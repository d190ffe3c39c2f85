"""Reviews API: a team's reviews (by ISO week) with decisions and tasks, and the tasks."""
from datetime import date
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.responses import Status

from core.calendar import parse_week
from reviews.models import ReviewStatus, Task, TaskStatus, WeeklyReview
from reviews.selectors import live_numbers
from teams.models import Team
from teams.permissions import can

router = Router(tags=["reviews"])


class TaskOut(Schema):
    id: int
    team: str
    title: str
    owner: str
    due_date: date
    status: str
    drop_reason: str
    week: str | None
    decision_id: int | None


class DecisionOut(Schema):
    id: int
    kpi: str
    text: str
    rationale: str
    keep_course: bool
    tasks: list[TaskOut]


class ReviewOut(Schema):
    team: str
    week: str
    week_start: date
    status: str
    summary: str
    no_decision_reason: str
    numbers: list[dict]
    decisions: list[DecisionOut]


class Error(Schema):
    detail: str


def _task(task):
    return TaskOut(id=task.pk, team=task.team.slug, title=task.title,
                   owner=task.owner.username, due_date=task.due_date, status=task.status,
                   drop_reason=task.drop_reason,
                   week=task.review.week_label if task.review_id else None,
                   decision_id=task.decision_id)


def _numbers(review):
    """Frozen numbers of a closed review; live ones (value, target …) of an open one."""
    if review.status == ReviewStatus.CLOSED and review.frozen_numbers:
        return review.frozen_numbers
    return live_numbers(review)


@router.get("/{company}/teams/{team}/reviews", response={200: list[ReviewOut], 400: Error,
                                                         403: Error}, url_name="api-team-reviews")
def team_reviews(request, company: str, team: str, week: str = ""):
    """A team's reviews, newest first (?week=2026-W05 for one week)."""
    if not can(request.membership, "view"):
        return Status(403, {"detail": "forbidden"})
    team_obj = get_object_or_404(Team, company=request.company, slug=team)
    reviews = WeeklyReview.objects.filter(team=team_obj).order_by("-week_start")
    if week:
        parsed = parse_week(week)
        if parsed is None:
            return Status(400, {"detail": "week must look like 2026-W05"})
        reviews = reviews.filter(iso_year=parsed[0], iso_week=parsed[1])
    reviews = reviews.prefetch_related("decisions__kpi", "decisions__tasks__owner",
                                       "decisions__tasks__team", "decisions__tasks__review")[:52]
    return Status(200, [
        ReviewOut(team=team_obj.slug, week=r.week_label, week_start=r.week_start,
                  status=r.status, summary=r.summary, no_decision_reason=r.no_decision_reason,
                  numbers=_numbers(r),
                  decisions=[DecisionOut(id=d.pk, kpi=d.kpi.code, text=d.text,
                                         rationale=d.rationale, keep_course=d.keep_course,
                                         tasks=[_task(t) for t in d.tasks.all()])
                             for d in r.decisions.all()])
        for r in reviews
    ])


@router.get("/{company}/tasks", response={200: list[TaskOut], 403: Error}, url_name="api-tasks")
def tasks(request, company: str, owner: str = "",
          status: Literal[(*TaskStatus.values, "all")] = "open"):
    """The company's tasks (?owner=me or a username, ?status=open|done|dropped|all)."""
    if not can(request.membership, "view"):
        return Status(403, {"detail": "forbidden"})
    qs = Task.objects.filter(team__company=request.company).select_related(
        "team", "owner", "review").order_by("due_date", "pk")
    if owner:
        qs = qs.filter(owner=request.membership.user) if owner == "me" else qs.filter(
            owner__username=owner)
    if status != "all":
        qs = qs.filter(status=status)
    return Status(200, [_task(t) for t in qs[:500]])

"""Matrix rows for the weekly review, my tasks, the inbox and the monthly reforecast."""
from tests.permissions.matrix import api_row, company_row


def _team(w):
    return {"company": w.company.slug, "team": w.team.slug}


def _week(w):
    return {**_team(w), "week": w.extra["review"].week_label}


def _task(w):
    return {"company": w.company.slug, "task_id": w.extra["review_task"].pk}


def _decision_data(w):
    return {"kpi": w.extra["review_kpi"].pk, "text": "Shorten the form",
            "task_title": "Draft the new form", "task_owner": w.users["member"].pk,
            "task_due": "2030-01-10"}


def _decision(w):
    return {**_week(w), "decision_id": w.extra["review_decision"].pk}


def _review_task(w):
    return {**_week(w), "task_id": w.extra["review_task"].pk}


def _month(w):
    return {"company": w.company.slug, "month": w.extra["reforecast"].month_key}


def _moves(w):
    return {"shift-world_leads": "5", "name": "Push leads"}


ROWS = {
    "review-mine": company_row("view"),
    "review-this-week": company_row("view", kwargs=_team),
    "review-history": company_row("view", kwargs=_team),
    "review-start": company_row("contribute", kwargs=_team, method="post", team_scoped=True,
                                other_manager=403),
    "review-detail": company_row("view", kwargs=_week),
    "review-note-add": company_row("contribute", kwargs=_week, method="post", team_scoped=True, other_manager=403,
                                   data=lambda w: {"kind": "lowlight", "text": "CVR fell"}),
    "review-summary": company_row("manage_team", kwargs=_week, method="post", team_scoped=True, other_manager=403,
                                  data=lambda w: {"summary": "Draft"}),
    "review-decision-add": company_row("manage_team", kwargs=_week, method="post",
                                       team_scoped=True, other_manager=403, data=_decision_data),
    "review-decision-edit": company_row("manage_team", kwargs=_decision, method="post",
                                        team_scoped=True, other_manager=403,
                                        data=lambda w: {"text": "Shorter form", "rationale": ""}),
    "review-decision-delete": company_row("manage_team", kwargs=_decision, method="post",
                                          team_scoped=True, other_manager=403),
    "review-task-add": company_row("manage_team", kwargs=_decision, method="post",
                                   team_scoped=True, other_manager=403,
                                   data=lambda w: {"title": "Call", "due_date": "2030-01-10",
                                                   "owner": w.users["member"].pk}),
    "review-task-delete": company_row("manage_team", kwargs=_review_task, method="post",
                                      team_scoped=True, other_manager=403),
    "review-close": company_row("manage_team", kwargs=_week, method="post", team_scoped=True, other_manager=403),
    "review-reopen": company_row("manage_team", kwargs=_week, method="post", team_scoped=True,
                                 other_manager=403),
    "my-tasks": company_row("view"),
    "inbox": company_row("view"),
    # A task of the sales team's review.
    "task-status": company_row("contribute", kwargs=_task, method="post",
                               data=lambda w: {"status": "done"}, other_manager=403),
    "reforecast-latest": company_row("view"),
    "reforecast-run": company_row("admin", method="post"),
    "reforecast-detail": company_row("view", kwargs=_month),
    "reforecast-progress": company_row("view", kwargs=_month),
    "reforecast-what-if": company_row("view", kwargs=_month, method="post", data=_moves),
    "reforecast-scenario-save": company_row("plan", kwargs=_month, method="post", data=_moves),
    "api:api-team-reviews": api_row("view", kwargs=_team),
    "api:api-tasks": api_row("view"),
}

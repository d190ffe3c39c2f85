"""Matrix rows for the OKR pages and API (team-scoped writes use the world's sales team)."""
from tests.permissions.matrix import api_row, company_row


def _team(w):
    return {"company": w.company.slug, "team": w.team.slug}


def _objective(w):
    return {**_team(w), "objective_id": w.extra["objective"].pk}


def _kr(w):
    return {**_team(w), "kr_id": w.extra["key_result"].pk}


ROWS = {
    "okr-home": company_row("view"),
    "okr-list": company_row("view", kwargs=_team),
    "okr-kr-kpi-hint": company_row("view", kwargs=_team),
    "okr-objective-create": company_row("manage_team", kwargs=_team, method="post",
                                        team_scoped=True, other_manager=403),
    "okr-objective-edit": company_row("manage_team", kwargs=_objective, method="post",
                                      team_scoped=True, other_manager=403),
    "okr-objective-copy": company_row("manage_team", kwargs=_objective, method="post",
                                      team_scoped=True, other_manager=403),
    "okr-kr-create": company_row("manage_team", kwargs=_objective, method="post",
                                 team_scoped=True, other_manager=403),
    "okr-kr-edit": company_row("manage_team", kwargs=_kr, method="post", team_scoped=True, other_manager=403),
    "okr-kr-delete": company_row("manage_team", kwargs=_kr, method="post", team_scoped=True, other_manager=403),
    "okr-checkin": company_row("contribute", kwargs=_kr, method="post", team_scoped=True, other_manager=403),
    "okr-quarter-review": company_row("view", kwargs=_team),
    "okr-quarter-review-apply": company_row("manage_team", kwargs=_team, method="post",
                                            team_scoped=True, other_manager=403),
    "alignment-map": company_row("view"),
    "api:api-okrs": api_row("view"),
}

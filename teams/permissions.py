"""Who may do what: the one table of capabilities by role, checked in one place.

Company roles grant capabilities. Team-scoped capabilities additionally need the
user to belong to the team (manager capabilities need the team's manager role);
admins act on every team.
"""
from dataclasses import dataclass

from teams.models import Role

ALL_ROLES = frozenset(Role.values)


@dataclass(frozen=True)
class Capability:
    roles: frozenset
    # None: company-wide. "member": any team role. "manager": the team's manager role.
    team_role: str | None = None


CAPABILITIES = {
    # Read every page of the company.
    "view": Capability(ALL_ROLES),
    # Enter or import numbers, write review notes, update own tasks and check-ins.
    "contribute": Capability(frozenset({Role.ADMIN, Role.MANAGER, Role.MEMBER}), "member"),
    # Run a team: focus KPIs, decisions, close the weekly review, OKRs, thresholds.
    "manage_team": Capability(frozenset({Role.ADMIN, Role.MANAGER}), "manager"),
    # Save what-if scenarios and read executive reports with actions.
    "plan": Capability(frozenset({Role.ADMIN, Role.EXECUTIVE})),
    # Company administration: KGI, KPI tree, members, teams, tokens, reforecast now.
    "admin": Capability(frozenset({Role.ADMIN})),
}


def can(membership, capability: str, team=None) -> bool:
    """Whether this membership holds the capability (for that team, when team-scoped)."""
    cap = CAPABILITIES[capability]
    if membership is None or membership.role not in cap.roles:
        return False
    if team is None or cap.team_role is None or membership.role == Role.ADMIN:
        return True
    team_role = team_roles(membership).get(team.pk)
    if team_role is None:
        return False
    return cap.team_role == "member" or team_role == "manager"


def team_roles(membership) -> dict:
    """The user's team roles in this company, {team_id: role}, loaded once per membership."""
    cached = getattr(membership, "_team_roles", None)
    if cached is None:
        from teams.models import TeamMembership

        cached = dict(
            TeamMembership.objects.filter(
                user_id=membership.user_id, team__company_id=membership.company_id
            ).values_list("team_id", "role")
        )
        membership._team_roles = cached
    return cached


def can_enter_numbers(membership, kpi) -> bool:
    """Whether this member may enter or import the KPI's numbers.

    Admins: every KPI. A KPI owned by a team: that team's members and managers. A KPI with
    no owner team: admins and managers.
    """
    if membership is None or kpi.company_id != membership.company_id:
        return False
    if not can(membership, "contribute"):
        return False
    if membership.role == Role.ADMIN:
        return True
    if kpi.team_id is None:
        return membership.role == Role.MANAGER
    return kpi.team_id in team_roles(membership)


def can_manage_kpi(membership, kpi) -> bool:
    """Whether this member may change what is said about the KPI's numbers (its campaigns).

    Admins: every KPI. A KPI owned by a team: that team's managers. A KPI with no owner
    team: the company's managers. A manager of another team: no.
    """
    if membership is None or kpi.company_id != membership.company_id:
        return False
    if not can(membership, "manage_team"):
        return False
    if membership.role == Role.ADMIN or kpi.team_id is None:
        return True
    return team_roles(membership).get(kpi.team_id) == "manager"

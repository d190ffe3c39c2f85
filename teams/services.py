"""Rules that change teams and who is in them."""
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kgiapp.models import Membership

from .models import Team, TeamMembership, TeamRole


def team_create(*, company, name: str, slug: str) -> Team:
    """Create a team; names and URL names are unique within the company."""
    team = Team(company=company, name=name, slug=slug, timezone=company.timezone)
    team.full_clean(exclude=["company"], validate_unique=False)
    if Team.objects.filter(company=company, slug=slug).exists():
        raise ValidationError({"slug": _("A team with this URL name already exists.")})
    if Team.objects.filter(company=company, name=name).exists():
        raise ValidationError({"name": _("A team with this name already exists.")})
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError as exc:
        raise ValidationError(_("A team with this name already exists.")) from exc
    return team


def team_member_set(*, team: Team, user, role: str | None) -> TeamMembership | None:
    """Add, change or (role None) remove a company member's place in a team."""
    if not Membership.objects.filter(company_id=team.company_id, user=user).exists():
        raise ValidationError(_("Only members of the company can join its teams."))
    if role is None:
        TeamMembership.objects.filter(team=team, user=user).delete()
        return None
    if role not in TeamRole.values:
        raise ValidationError(_("Unknown team role."))
    membership, _created = TeamMembership.objects.update_or_create(
        team=team, user=user, defaults={"role": role}
    )
    return membership

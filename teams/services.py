"""Rules that change the organisation: memberships, invitations, API tokens, teams and who is in them."""
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.integrity import refuse_constraints
from teams.models import (
    ApiToken,
    Company,
    Invitation,
    Membership,
    Role,
    Team,
    TeamMembership,
    TeamRole,
    hash_secret,
)

INVITATION_DAYS = 7


def membership_set_role(*, company: Company, membership_id: int, role: str) -> Membership:
    """Change a member's role; the company always keeps at least one admin."""
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update().filter(company=company, pk=membership_id).first()
        )
        if membership is None:
            raise ValidationError(_("That person is not a member of this company."))
        if membership.role == Role.ADMIN and role != Role.ADMIN:
            _ensure_another_admin(company, membership)
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def membership_remove(*, company: Company, membership_id: int) -> None:
    """Remove a person from the company and its teams; never the last admin."""
    from teams.models import TeamMembership

    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update().filter(company=company, pk=membership_id).first()
        )
        if membership is None:
            raise ValidationError(_("That person is not a member of this company."))
        if membership.role == Role.ADMIN:
            _ensure_another_admin(company, membership)
        TeamMembership.objects.filter(team__company=company, user=membership.user).delete()
        membership.delete()


def _ensure_another_admin(company, membership):
    others = (
        Membership.objects.select_for_update()
        .filter(company=company, role=Role.ADMIN)
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise ValidationError(_("A company needs at least one admin."))


def invitation_create(*, company: Company, email: str, role: str, created_by, accept_url_builder,
                      team: Team | None = None, team_role: str = "member"):
    """Create a one-time invitation, email the link, and return (invitation, link) once.

    With ``team``, accepting also puts the person in that team with ``team_role``.
    """
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    if team is not None and team.company_id != company.pk:
        raise ValidationError(_("Choose a team of this company."))
    if team is not None and team_role not in TeamRole.values:
        raise ValidationError(_("Unknown team role."))
    raw = ApiToken.generate_raw().removeprefix(ApiToken.PREFIX)
    invitation = Invitation.objects.create(
        company=company,
        email=email,
        role=role,
        token_hash=hash_secret(raw),
        team=team,
        team_role=team_role if team is not None else "",
        created_by=created_by,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    link = accept_url_builder(raw)
    team_line = (_("You will be in the team %(team)s as %(team_role)s.") % {
        "team": team.name, "team_role": TeamRole(team_role).label} + "\n") if team else ""
    send_mail(
        subject=_("You are invited to %(company)s on kgiapp") % {"company": company.name},
        message=_(
            "%(inviter)s invited you to join %(company)s as %(role)s.\n\n"
            "Open this link within %(days)s days to accept (it works once):\n%(link)s\n"
        )
        % {
            "inviter": created_by.get_full_name() or created_by.get_username(),
            "company": company.name,
            "role": Role(role).label,
            "days": INVITATION_DAYS,
            "link": link,
        } + team_line,
        from_email=None,
        recipient_list=[email],
    )
    return invitation, link


def invitation_find(raw_token: str):
    """The open invitation for this raw token, or None when unknown, used, revoked or expired."""
    invitation = (
        Invitation.objects.select_related("company")
        .filter(token_hash=hash_secret(raw_token), accepted_at__isnull=True,
                revoked_at__isnull=True)
        .first()
    )
    if invitation is None or invitation.expires_at < timezone.now():
        return None
    return invitation


def display_name_clean(text: str | None) -> str:
    """A display name as stored: spaces collapsed (full-width too), at most 150 characters."""
    return " ".join((text or "").split())[:150]


def user_set_display_name(*, user, display_name: str) -> None:
    """Set the name colleagues see (any script, e.g. 山田 花子); empty shows the username.

    Kept in ``User.first_name`` (``last_name`` empty), so ``get_full_name()`` returns it.
    """
    user.first_name = display_name_clean(display_name)
    user.last_name = ""
    user.save(update_fields=["first_name", "last_name"])


def invitation_accept(*, raw_token: str, user=None, username=None, password=None,
                      display_name: str = "") -> Membership:
    """Use the invitation once: join an existing user, or create the account first."""
    with transaction.atomic():
        invitation = invitation_find(raw_token)
        if invitation is None:
            raise ValidationError(_("This invitation link is invalid, used or expired."))
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None or invitation.revoked_at is not None:
            raise ValidationError(_("This invitation link is invalid, used or expired."))
        if user is None:
            user = get_user_model().objects.create_user(
                username=username, password=password, email=invitation.email,
                first_name=display_name_clean(display_name),
            )
        membership, created = Membership.objects.get_or_create(
            company=invitation.company, user=user, defaults={"role": invitation.role}
        )
        _join_invited_team(invitation, user)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def _join_invited_team(invitation: Invitation, user) -> None:
    """The invitation's team, if any: joined with its role (an existing place is kept)."""
    if invitation.team_id is not None:
        TeamMembership.objects.get_or_create(
            team_id=invitation.team_id, user=user,
            defaults={"role": invitation.team_role or TeamRole.MEMBER})


def invitation_open_for_email(email: str) -> bool:
    """Whether an unused, unexpired invitation to this address exists."""
    return Invitation.objects.filter(email__iexact=email, accepted_at__isnull=True,
                                     revoked_at__isnull=True,
                                     expires_at__gte=timezone.now()).exists()


def invitation_accept_by_email(*, email: str, user) -> list[Membership]:
    """Accept every open invitation to this (verified) address for ``user``."""
    memberships = []
    with transaction.atomic():
        invitations = Invitation.objects.select_for_update().filter(
            email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True,
            expires_at__gte=timezone.now())
        for invitation in invitations:
            membership, _created = Membership.objects.get_or_create(
                company=invitation.company, user=user, defaults={"role": invitation.role})
            _join_invited_team(invitation, user)
            invitation.accepted_at = timezone.now()
            invitation.accepted_by = user
            invitation.save(update_fields=["accepted_at", "accepted_by"])
            memberships.append(membership)
    return memberships


def invitation_revoke(*, company: Company, invitation_id: int, user) -> Invitation:
    """Withdraw a pending invitation; its link then shows that it was withdrawn."""
    with transaction.atomic():
        invitation = (Invitation.objects.select_for_update()
                      .filter(company=company, pk=invitation_id).first())
        if invitation is None or invitation.revoked_at is not None:
            raise ValidationError(_("No such pending invitation."))
        if invitation.accepted_at is not None:
            raise ValidationError(_("This invitation was already accepted; remove the "
                                    "member instead."))
        invitation.revoked_at = timezone.now()
        invitation.revoked_by = user
        invitation.save(update_fields=["revoked_at", "revoked_by"])
    return invitation


def invitation_revoked(raw_token: str):
    """The revoked invitation for this raw token (for its "withdrawn" page), or None."""
    return (Invitation.objects.select_related("company")
            .filter(token_hash=hash_secret(raw_token), revoked_at__isnull=False,
                    accepted_at__isnull=True).first())


def api_token_create(*, company: Company, user, name: str, expires_in_days: int | None = None):
    """Create a token for the API; returns (token, raw) and the raw value is never stored.

    ``expires_in_days`` None: valid until revoked (or until the user is deactivated).
    """
    if not Membership.objects.filter(company=company, user=user).exists():
        raise ValidationError(_("The token's user must be a member of the company."))
    if expires_in_days is not None and expires_in_days < 1:
        raise ValidationError(_("A token must be valid for at least one day."))
    raw = ApiToken.generate_raw()
    expires_at = (timezone.now() + timedelta(days=expires_in_days)
                  if expires_in_days is not None else None)
    token = ApiToken.objects.create(
        company=company, user=user, name=name, token_hash=hash_secret(raw), hint=raw[:8],
        expires_at=expires_at,
    )
    return token, raw


def api_token_revoke(*, company: Company, token_id: int) -> None:
    updated = ApiToken.objects.filter(company=company, pk=token_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise ValidationError(_("No such active token."))


def api_token_authenticate(raw: str, company_slug: str):
    """The membership behind a raw token for that company, or None."""
    token = (
        ApiToken.objects.select_related("company", "user")
        .filter(token_hash=hash_secret(raw or ""), revoked_at__isnull=True,
                company__slug=company_slug, user__is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .first()
    )
    if token is None:
        return None
    membership = Membership.objects.select_related("company", "user").filter(
        company=token.company, user=token.user
    ).first()
    if membership is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return membership


def team_create(*, company, name: str, slug: str) -> Team:
    """Create a team; names and URL names are unique within the company."""
    team = Team(company=company, name=name, slug=slug, timezone=company.timezone)
    team.full_clean(exclude=["company"], validate_unique=False)
    if Team.objects.filter(company=company, slug=slug).exists():
        raise ValidationError({"slug": _("A team with this URL name already exists.")})
    if Team.objects.filter(company=company, name=name).exists():
        raise ValidationError({"name": _("A team with this name already exists.")})
    with refuse_constraints():
        team.save()
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


def company_create(*, slug: str, name: str, admin, language: str = "ja",
                   timezone_name: str = "Asia/Tokyo") -> Company:
    """Create a company with ``admin`` as its first admin; slug and time zone are validated."""
    company = Company(slug=slug, name=name, language=language, timezone=timezone_name)
    company.full_clean(validate_unique=False)
    with transaction.atomic():
        if Company.objects.filter(slug=slug).exists():
            raise ValidationError({"slug": _("A company with this URL name already exists.")})
        with refuse_constraints():
            company.save()
        Membership.objects.create(company=company, user=admin, role=Role.ADMIN)
    return company


COMPANY_PROFILE_FIELDS = ("name", "slug", "language", "timezone", "fiscal_year_start_month",
                          "currency", "week_start")


def company_update(*, company: Company, **fields) -> Company:
    """Change the company's own settings; unknown fields are refused, all are validated."""
    unknown = set(fields) - set(COMPANY_PROFILE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown company setting."))
    with transaction.atomic():
        locked = Company.objects.select_for_update().get(pk=company.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save(update_fields=list(fields))
    return locked

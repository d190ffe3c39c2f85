"""The settings page: members and roles, teams, invitations and API tokens (admins only)."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.htmx import render_page
from teams import services
from teams import services as team_services
from teams.forms import (
    ApiTokenForm,
    CompanyProfileForm,
    InvitationForm,
    RoleForm,
    TeamForm,
    TeamMemberForm,
)
from teams.idempotency import once_per_form
from teams.models import ApiToken, Company, Invitation, Membership, Team, TeamMembership
from teams.tenancy import company_view


def _settings_context(request, **forms):
    company = request.company
    teams = list(Team.objects.filter(company=company).order_by("name"))
    team_members = {}
    for tm in TeamMembership.objects.filter(team__company=company).select_related("user"):
        team_members.setdefault(tm.team_id, []).append(tm)
    for team in teams:
        team.member_list = team_members.get(team.pk, [])
    context = {
        "memberships": Membership.objects.filter(company=company).select_related("user"),
        "teams": teams,
        "invitations": Invitation.objects.filter(company=company, accepted_at__isnull=True,
                                                 revoked_at__isnull=True),
        "tokens": ApiToken.objects.filter(company=company).select_related("user"),
        # Prefixed: the team form on the same page has name and slug fields too.
        "company_form": CompanyProfileForm(instance=company, prefix="company"),
        "invitation_form": InvitationForm(company=company),
        "team_form": TeamForm(),
        "team_member_form": TeamMemberForm(company=company),
        "token_form": ApiTokenForm(),
        "role_form": RoleForm(),
    }
    context.update(forms)
    return context


def _back(request, anchor=""):
    return redirect(reverse("company-settings", args=[request.company.slug]) + anchor)


def _invalid(request, status=400, **forms):
    return render_page(request, "kgiapp/settings.html", _settings_context(request, **forms),
                       status=status)


def _run(request, action, success, anchor):
    """Call a service; its refusal becomes an error message, success a success message."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return _back(request, anchor)


@company_view("admin")
def company_settings(request):
    return render_page(request, "kgiapp/settings.html", _settings_context(request))


@require_POST
@company_view("admin")
def member_role(request, membership_id):
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
        return _back(request, "#members")
    return _run(request, lambda: services.membership_set_role(
                company=request.company, membership_id=membership_id, role=form.cleaned_data["role"]
            ),
                _("Role updated."), "#members")


@require_POST
@company_view("admin")
def member_remove(request, membership_id):
    return _run(request, lambda: services.membership_remove(company=request.company, membership_id=membership_id),
                _("Member removed."), "#members")


@require_POST
@company_view("admin")
@once_per_form
def invitation_create(request):
    form = InvitationForm(request.POST, company=request.company)
    if not form.is_valid():
        return _invalid(request, invitation_form=form)
    _invitation, link = services.invitation_create(
        company=request.company,
        email=form.cleaned_data["email"],
        role=form.cleaned_data["role"],
        team=form.cleaned_data["team"],
        team_role=form.cleaned_data["team_role"] or "member",
        created_by=request.user,
        accept_url_builder=lambda raw: request.build_absolute_uri(
            reverse("invite-accept", args=[raw])
        ),
    )
    # The link is shown once, here; only its hash is stored.
    context = _settings_context(request)
    context["new_invitation_link"] = link
    return render_page(request, "kgiapp/settings.html", context)


@require_POST
@company_view("admin")
def invitation_revoke(request, invitation_id):
    return _run(request, lambda: services.invitation_revoke(
        company=request.company, invitation_id=invitation_id, user=request.user),
                _("Invitation withdrawn; its link no longer works."), "#invite")


@require_POST
@company_view("admin")
@once_per_form
def team_create(request):
    form = TeamForm(request.POST)
    if not form.is_valid():
        return _invalid(request, team_form=form)
    try:
        team_services.team_create(company=request.company, **form.cleaned_data)
    except ValidationError as exc:
        # A dict error lands on its fields, a plain one on the form.
        form.add_error(None, exc)
        return _invalid(request, team_form=form)
    messages.success(request, _("Team created."))
    return _back(request, "#teams")


@require_POST
@company_view("admin")
def team_member_set(request, team):
    team_obj = get_object_or_404(Team, company=request.company, slug=team)
    form = TeamMemberForm(request.POST, company=request.company)
    if not form.is_valid():
        return _invalid(request, team_member_form=form)
    return _run(request, lambda: team_services.team_member_set(
        team=team_obj, user=form.cleaned_data["user"], role=form.cleaned_data["role"] or None
    ), _("Team updated."), "#teams")


@require_POST
@company_view("admin")
@once_per_form
def api_token_create(request):
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _invalid(request, token_form=form)
    _token, raw = services.api_token_create(
        company=request.company, user=request.user, name=form.cleaned_data["name"],
        expires_in_days=form.cleaned_data["expires_in_days"],
    )
    context = _settings_context(request)
    context["new_token"] = raw
    return render_page(request, "kgiapp/settings.html", context)


@require_POST
@company_view("admin")
def api_token_revoke(request, token_id):
    return _run(request, lambda: services.api_token_revoke(company=request.company, token_id=token_id),
                _("Token revoked."), "#tokens")


@require_POST
@company_view("admin")
def company_update(request):
    # Validate against a fresh copy: a ModelForm writes into its instance while validating.
    form = CompanyProfileForm(request.POST, instance=Company.objects.get(pk=request.company.pk),
                              prefix="company")
    if not form.is_valid():
        return _invalid(request, company_form=form)
    try:
        company = services.company_update(company=request.company, **form.cleaned_data)
    except ValidationError as exc:
        form.add_error(None, exc)
        return _invalid(request, company_form=form)
    messages.success(request, _("Company settings saved."))
    return redirect(reverse("company-settings", args=[company.slug]) + "#company")

"""The one resolver: the company from the URL, the user's membership, and the role check.

Every company page is wrapped by ``company_view``; it puts ``request.company`` and
``request.membership`` on the request. A non-member gets 404 (never a hint that the
company exists), an anonymous visitor a redirect to login, a member without the
capability 403.
"""
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import translation

from teams.membership_rows import membership_rows
from teams.models import Membership
from teams.permissions import CAPABILITIES, can


def user_memberships(user):
    """All of the user's memberships by company name, with their companies, data tokens and
    users (and what apps above registered in teams.membership_rows.MEMBERSHIP_SQL)."""
    return membership_rows(user)


def resolve_membership(user, company_slug, memberships=None):
    """The user's membership in the company with that slug, or Http404 (picked from
    ``memberships``, the user's, when given)."""
    if not user.is_authenticated:
        raise Http404
    if memberships is None:
        membership = (
            # The data token rides along: cached pages need it and it costs no extra query.
            Membership.objects.select_related("company", "company__data_version", "user")
            .filter(company__slug=company_slug, user=user)
            .first()
        )
    else:
        membership = next((m for m in memberships if m.company.slug == company_slug), None)
    if membership is None:
        raise Http404
    return membership


def company_view(capability="view"):
    """Decorate a view under /<company>/: resolve tenancy, then check the capability."""
    if capability not in CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}")

    def decorator(view):
        @wraps(view)
        def wrapper(request, company, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            # One read gives the page its membership and the header's company switcher.
            request.my_memberships = user_memberships(request.user)
            membership = resolve_membership(request.user, company, request.my_memberships)
            request.membership = membership
            request.company = membership.company
            if not request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
                translation.activate(request.company.language)
                request.LANGUAGE_CODE = request.company.language
            if not can(membership, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.capability = capability
        return wrapper

    return decorator


def team_view(capability="view"):
    """``company_view`` for a page under /<company>/…/<team>/: the view receives the ``Team``
    (404 when not of the company) once the capability is checked for that team too."""

    def decorator(view):
        @wraps(view)
        def with_team(request, team, *args, **kwargs):
            team = get_team(request, team)
            require(request, capability, team)
            return view(request, team, *args, **kwargs)

        return company_view(capability)(with_team)

    return decorator


def require(request, capability, team=None):
    """Raise PermissionDenied unless the request's membership holds the capability."""
    if not can(request.membership, capability, team=team):
        raise PermissionDenied


def get_team(request, slug):
    """A team of the request's company, or 404."""
    from teams.models import Team

    return get_object_or_404(Team, company=request.company, slug=slug)

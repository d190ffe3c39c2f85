"""Single sign-on with OpenID Connect (mozilla-django-oidc), configured from the environment.

People are matched by their *verified* email: an existing account with that email, or an
open invitation to that email (the account is created then and the invitation accepted).
Anyone else is refused and sent to a page that says why. Off unless OIDC_RP_CLIENT_ID is set.
"""
import logging

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import render
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from teams.services import invitation_accept_by_email, invitation_open_for_email

LOGGER = logging.getLogger(__name__)
REFUSED_EMAIL_KEY = "sso_refused_email"


class InvitationOidcBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims):
        # An unverified address could be anyone's: never match on it.
        return bool(claims.get("email")) and claims.get("email_verified") is True

    def authenticate(self, request, **kwargs):
        try:
            return super().authenticate(request, **kwargs)
        except (requests.RequestException, SuspiciousOperation) as exc:
            # A provider that is down or answers nonsense is a refused login, not a 500.
            LOGGER.warning("OIDC login failed: %s", exc)
            return None

    def filter_users_by_claims(self, claims):
        return get_user_model().objects.filter(email__iexact=claims["email"], is_active=True)

    def update_user(self, user, claims):
        invitation_accept_by_email(email=claims["email"], user=user)
        return user

    def create_user(self, claims):
        email = claims["email"]
        if not invitation_open_for_email(email):
            self.request.session[REFUSED_EMAIL_KEY] = email
            return None
        User = get_user_model()
        base = self.get_username(claims)
        username, n = base, 1
        while User.objects.filter(username=username).exists():
            n += 1
            username = f"{base}-{n}"
        user = User.objects.create_user(username, email=email)  # no password: SSO only
        invitation_accept_by_email(email=email, user=user)
        return user


def sso_username(email, claims=None):
    """The part of the email before @, lowercased (made unique by the backend)."""
    return email.split("@", 1)[0].lower()[:150] or "user"


class SsoStart(OIDCAuthenticationRequestView):
    """Sends the browser to the identity provider; 404 when SSO is not configured."""

    def __init__(self, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            return
        super().__init__(*args, **kwargs)

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404
        return super().get(request)


def sso_refused(request):
    """Where a refused single sign-on lands: says why and what to do."""
    email = request.session.pop(REFUSED_EMAIL_KEY, None)
    return render(request, "registration/sso_refused.html", {"email": email}, status=403)

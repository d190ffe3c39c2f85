"""Single sign-on: the full authorization-code flow against a real OIDC provider over HTTP.
A new person is matched by verified email to their invitation; anyone else is refused with
a page that says why."""
from datetime import timedelta
from urllib.parse import urlparse

import pytest
import requests
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from teams.models import Company, Invitation, Membership, Role
from tests.oidc_provider import oidc_provider  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    return Company.objects.create(slug="acme", name="Acme")


def _invite(company, email, role=Role.MANAGER, days=7):
    return Invitation.objects.create(company=company, email=email, role=role,
                                     token_hash=email, expires_at=timezone.now()
                                     + timedelta(days=days))


def _sign_in(client, provider):
    """Start at kgiapp, let the provider authorize, come back to the callback."""
    start = client.get(reverse("oidc_authentication_init"))
    assert start.status_code == 302 and start.url.startswith(provider.url + "/authorize")
    answer = requests.get(start.url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    back = urlparse(answer.headers["Location"])
    assert back.path == reverse("oidc_authentication_callback")
    return client.get(f"{back.path}?{back.query}")


def test_invited_person_signs_in_and_joins_with_the_invited_role(client, company,
                                                                 oidc_provider):  # noqa: F811
    _invite(company, "Hanako@Example.jp")
    oidc_provider.account = {"email": "hanako@example.jp", "email_verified": True}
    response = _sign_in(client, oidc_provider)
    assert response.status_code == 302 and response.url == reverse("home")
    user = get_user_model().objects.get(email="hanako@example.jp")
    assert user.username == "hanako" and not user.has_usable_password()
    assert Membership.objects.get(company=company, user=user).role == Role.MANAGER
    assert Invitation.objects.get(company=company).accepted_by == user
    assert client.get("/acme/").status_code == 200  # logged in


def test_existing_account_is_matched_by_verified_email(client, company,
                                                       oidc_provider):  # noqa: F811
    user = get_user_model().objects.create_user("taro", "taro@example.jp", "pw")
    Membership.objects.create(company=company, user=user, role=Role.MEMBER)
    oidc_provider.account = {"email": "taro@example.jp", "email_verified": True}
    assert _sign_in(client, oidc_provider).url == reverse("home")
    assert client.get("/acme/").status_code == 200
    assert get_user_model().objects.count() == 1


def test_unknown_person_is_refused_with_a_clear_page(client, company,
                                                     oidc_provider):  # noqa: F811
    oidc_provider.account = {"email": "stranger@example.jp", "email_verified": True}
    response = _sign_in(client, oidc_provider)
    assert response.status_code == 302 and response.url == reverse("sso-refused")
    page = client.get(response.url)
    assert page.status_code == 403
    html = page.content.decode()
    assert "stranger@example.jp" in html and "招待" in html
    assert not get_user_model().objects.filter(email="stranger@example.jp").exists()
    assert client.get("/acme/").status_code == 302  # not logged in


def test_unverified_email_never_matches_even_with_an_invitation(client, company,
                                                                oidc_provider):  # noqa: F811
    _invite(company, "hanako@example.jp")
    oidc_provider.account = {"email": "hanako@example.jp", "email_verified": False}
    assert _sign_in(client, oidc_provider).url == reverse("sso-refused")
    assert not get_user_model().objects.exists()
    assert Invitation.objects.get().accepted_at is None


def test_expired_invitation_does_not_let_anyone_in(client, company, oidc_provider):  # noqa: F811
    _invite(company, "late@example.jp", days=-1)
    oidc_provider.account = {"email": "late@example.jp", "email_verified": True}
    assert _sign_in(client, oidc_provider).url == reverse("sso-refused")
    assert not get_user_model().objects.exists()


def test_login_page_offers_sso_only_when_configured(client, settings):
    settings.OIDC_ENABLED = False
    assert 'data-testid="sso"' not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    settings.OIDC_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "Okta"
    html = client.get(reverse("login")).content.decode()
    assert 'data-testid="sso"' in html and "Okta" in html

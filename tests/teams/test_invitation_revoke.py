"""Admins withdraw pending invitations; a withdrawn link says so plainly and joins nobody."""
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from kgiapp.first_run import first_run_facts
from teams.models import Invitation, Membership, Role
from teams.services import invitation_accept_by_email, invitation_open_for_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.user(Role.ADMIN))
    return client


def _invite(admin_client, world, email="new@example.com"):
    response = admin_client.post(reverse("invitation-create", args=[world.company.slug]),
                                 {"email": email, "role": "manager"})
    token = response.context["new_invitation_link"].rstrip("/").rsplit("/", 1)[1]
    return Invitation.objects.get(company=world.company, email=email), token


def test_a_withdrawn_link_shows_a_clear_page_and_joins_nobody(admin_client, world):
    invitation, token = _invite(admin_client, world)
    settings_page = admin_client.get(reverse("company-settings", args=[world.company.slug]))
    assert "new@example.com" in settings_page.content.decode()

    response = admin_client.post(
        reverse("invitation-revoke", args=[world.company.slug, invitation.pk]), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="open-invitations"' not in html or "new@example.com" not in html
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None and invitation.revoked_by == world.user(Role.ADMIN)

    guest = Client()
    page = guest.get(f"/invite/{token}/")
    assert page.status_code == 410
    assert 'data-testid="invite-revoked"' in page.content.decode()
    assert world.company.name in page.content.decode()
    post = guest.post(f"/invite/{token}/", {"username": "sneaky", "password1": "Xq9!long-pass",
                                            "password2": "Xq9!long-pass"})
    assert post.status_code == 410
    assert not get_user_model().objects.filter(username="sneaky").exists()


def test_single_sign_on_ignores_a_withdrawn_invitation(admin_client, world):
    invitation, _token = _invite(admin_client, world, "sso@example.com")
    assert invitation_open_for_email("sso@example.com")
    admin_client.post(reverse("invitation-revoke", args=[world.company.slug, invitation.pk]))
    assert not invitation_open_for_email("sso@example.com")
    user = get_user_model().objects.create_user("sso-user", "sso@example.com")
    assert invitation_accept_by_email(email="sso@example.com", user=user) == []
    assert not Membership.objects.filter(user=user).exists()


def test_revoking_twice_or_another_companys_invitation_is_a_message(admin_client, world):
    invitation, _token = _invite(admin_client, world)
    url = reverse("invitation-revoke", args=[world.company.slug, invitation.pk])
    admin_client.post(url)
    again = admin_client.post(url, follow=True)
    assert again.status_code == 200
    assert "No such pending invitation" in again.content.decode() or \
        "保留中の招待はありません" in again.content.decode()
    foreign = Invitation.objects.create(company=world.other, email="x@example.com",
                                        token_hash="f" * 64, expires_at=invitation.expires_at)
    response = admin_client.post(
        reverse("invitation-revoke", args=[world.company.slug, foreign.pk]))
    assert response.status_code == 302
    foreign.refresh_from_db()
    assert foreign.revoked_at is None


def test_a_withdrawn_invitation_does_not_tick_the_people_step(admin_client, world):
    Invitation.objects.filter(company=world.company).delete()
    invitation, _token = _invite(admin_client, world)
    members = Membership.objects.filter(company=world.company)
    members.exclude(role=Role.ADMIN).delete()
    assert first_run_facts(world.company)["people"]
    admin_client.post(reverse("invitation-revoke", args=[world.company.slug, invitation.pk]))
    assert not first_run_facts(world.company)["people"]

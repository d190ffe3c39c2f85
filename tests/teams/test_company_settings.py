"""Admins manage members, teams, invitations and tokens; bad input changes nothing."""
import pytest
from django.core import mail
from django.urls import reverse

from teams.models import ApiToken, Invitation, Membership, Role, Team, TeamMembership, hash_secret

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.user(Role.ADMIN))
    return client


def url(world, name, *args):
    return reverse(name, args=[world.company.slug, *args])


def test_last_admin_cannot_be_demoted(admin_client, world):
    admin = Membership.objects.get(company=world.company, role=Role.ADMIN)
    admin_client.post(url(world, "member-role", admin.pk), {"role": "viewer"})
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_role_change_for_another_companys_membership_is_refused(admin_client, world):
    foreign = Membership.objects.get(company=world.other)
    response = admin_client.post(url(world, "member-role", foreign.pk), {"role": "viewer"},
                                 follow=True)
    foreign.refresh_from_db()
    assert foreign.role == Role.ADMIN
    assert response.status_code == 200
    assert "この会社のメンバーではありません" in response.content.decode()


def test_invitation_link_is_shown_once_emailed_and_works_once(admin_client, client, world):
    response = admin_client.post(url(world, "invitation-create"),
                                 {"email": "new@example.com", "role": "member"})
    link = response.context["new_invitation_link"]
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get(company=world.company, email="new@example.com")
    assert invitation.token_hash == hash_secret(token)
    assert token not in invitation.token_hash
    assert len(mail.outbox) == 1 and link in mail.outbox[0].body

    client.logout()
    accept = client.post(f"/invite/{token}/", {"username": "newbie",
                                               "password1": "Xq9!long-pass",
                                               "password2": "Xq9!long-pass"})
    assert accept.status_code == 302
    assert Membership.objects.filter(company=world.company, user__username="newbie",
                                     role="member").exists()
    client.logout()
    again = client.get(f"/invite/{token}/")
    assert again.status_code == 404


@pytest.mark.parametrize("name,slug", [
    ("", "ok"), ("x" * 10_000, "ok"), ("<script>alert(1)</script>", "Bad Slug"),
    ("Sales", "sales"),
])
def test_bad_team_input_gets_a_message_and_changes_nothing(admin_client, world, name, slug):
    before = Team.objects.count()
    response = admin_client.post(url(world, "team-create"), {"name": name, "slug": slug})
    assert response.status_code == 400
    assert Team.objects.count() == before
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert 'class="errorlist' in response.content.decode()


def test_team_member_from_another_company_is_rejected(admin_client, world):
    before = TeamMembership.objects.count()
    response = admin_client.post(url(world, "team-member-set", world.team.slug),
                                 {"user": world.outsider.pk, "role": "member"})
    assert response.status_code == 400
    assert TeamMembership.objects.count() == before


def test_api_token_is_shown_once_and_stored_hashed(admin_client, world):
    response = admin_client.post(url(world, "api-token-create"), {"name": "ETL"})
    raw = response.context["new_token"]
    token = ApiToken.objects.get(company=world.company, name="ETL")
    assert token.token_hash == hash_secret(raw) and raw not in token.token_hash
    page = admin_client.get(url(world, "company-settings")).content.decode()
    assert raw not in page
    api = admin_client.get(f"/api/v1/{world.company.slug}/",
                           headers={"Authorization": f"Bearer {raw}"})
    assert api.status_code == 200 and api.json()["slug"] == "acme"
    other = admin_client.get(f"/api/v1/{world.other.slug}/",
                             headers={"Authorization": f"Bearer {raw}"})
    assert other.status_code == 401


def test_revoked_token_no_longer_authenticates(admin_client, world):
    response = admin_client.post(url(world, "api-token-create"), {"name": "tmp"})
    raw = response.context["new_token"]
    token = ApiToken.objects.get(name="tmp")
    admin_client.post(url(world, "api-token-revoke", token.pk))
    api = admin_client.get(f"/api/v1/{world.company.slug}/",
                           headers={"Authorization": f"Bearer {raw}"})
    assert api.status_code == 401

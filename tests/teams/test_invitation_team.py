"""An invitation can carry a team and a role in it; the team member picker starts empty."""
import re

import pytest
from django.core import mail
from django.urls import reverse

from teams.models import Invitation, Membership, Role, Team, TeamMembership

pytestmark = pytest.mark.django_db


def _invite(client, world, **data):
    client.force_login(world.user(Role.ADMIN))
    client.cookies["kgi_language"] = "en"
    return client.post(reverse("invitation-create", args=[world.company.slug]),
                       {"email": "new@example.com", "role": "member", **data})


def test_accepting_an_invitation_with_a_team_joins_the_team_with_its_role(client, world):
    response = _invite(client, world, team=world.team.pk, team_role="manager")
    link = response.context["new_invitation_link"]
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get(email="new@example.com")
    assert (invitation.team, invitation.team_role) == (world.team, "manager")
    assert "team Sales as Manager" in mail.outbox[0].body
    client.logout()
    client.post(f"/invite/{token}/", {"username": "newbie", "password1": "Xq9!long-pass",
                                      "password2": "Xq9!long-pass"})
    member = Membership.objects.get(company=world.company, user__username="newbie")
    assert member.role == "member"
    assert TeamMembership.objects.get(user=member.user).team == world.team
    assert TeamMembership.objects.get(user=member.user).role == "manager"


def test_another_companys_team_is_an_invalid_choice(client, world):
    response = _invite(client, world, team=world.other_team.pk)
    assert response.status_code == 400
    assert not Invitation.objects.filter(email="new@example.com").exists()


def test_an_invitation_without_a_team_joins_no_team(client, world):
    _invite(client, world)
    assert Invitation.objects.get(email="new@example.com").team is None


def test_the_team_member_picker_starts_on_an_empty_choice(client, world):
    client.force_login(world.user(Role.ADMIN))
    html = client.get(reverse("company-settings", args=[world.company.slug])).content.decode()
    for select in re.findall(r'<select name="user"[^>]*>(.*?)</select>', html, re.S):
        first = re.search(r"<option([^>]*)>", select).group(1)
        assert 'value=""' in first and "selected" in first
    before = TeamMembership.objects.count()
    response = client.post(reverse("team-member-set", args=[world.company.slug,
                                                            world.team.slug]),
                           {"user": "", "role": "manager"})
    assert response.status_code == 400 and TeamMembership.objects.count() == before


def test_the_settings_page_offers_the_teams_for_an_invitation(client, world):
    client.force_login(world.user(Role.ADMIN))
    html = client.get(reverse("company-settings", args=[world.company.slug])).content.decode()
    invitation_form = html.split('action="/acme/settings/invitations/"')[1].split("</form>")[0]
    assert 'name="team"' in invitation_form and ">Marketing<" in invitation_form
    assert world.other_team.name not in invitation_form
    assert Team.objects.filter(company=world.company).count() == 2

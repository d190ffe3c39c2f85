"""The resolver: members see their company, outsiders get 404, roles are checked in one place."""
import pytest
from django.urls import reverse

from teams.models import Membership, Role, TeamMembership
from teams.permissions import can

pytestmark = pytest.mark.django_db


def test_outsider_gets_404_not_the_other_companys_page(client, world):
    client.force_login(world.outsider)
    response = client.get(reverse("dashboard", args=[world.company.slug]))
    assert response.status_code == 404
    assert world.company.name not in response.content.decode()


def test_unknown_company_and_non_member_are_indistinguishable(client, world):
    client.force_login(world.outsider)
    unknown = client.get("/no-such-company/")
    foreign = client.get(reverse("dashboard", args=[world.company.slug]))
    assert unknown.status_code == foreign.status_code == 404


def test_anonymous_is_sent_to_login_with_next(client, world):
    url = reverse("dashboard", args=[world.company.slug])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=" in response["Location"]


def test_member_without_the_role_gets_a_clear_403_page(client, world):
    client.force_login(world.user(Role.VIEWER))
    response = client.get(reverse("company-settings", args=[world.company.slug]))
    assert response.status_code == 403
    assert "権限" in response.content.decode()


def test_team_scoped_manage_needs_the_teams_manager_role(world):
    manager = Membership.objects.get(company=world.company, user=world.user(Role.MANAGER))
    other_team = world.company.teams.get(slug="marketing")
    assert can(manager, "manage_team", world.team)
    assert not can(manager, "manage_team", other_team)
    member = Membership.objects.get(company=world.company, user=world.user(Role.MEMBER))
    assert can(member, "contribute", world.team)
    assert not can(member, "manage_team", world.team)
    TeamMembership.objects.create(team=other_team, user=world.user(Role.MEMBER), role="manager")
    member = Membership.objects.get(pk=member.pk)  # fresh: team roles are cached per object
    assert not can(member, "manage_team", other_team), "company role member never manages"


def test_admin_acts_on_every_team_and_viewer_on_none(world):
    admin = Membership.objects.get(company=world.company, user=world.user(Role.ADMIN))
    viewer = Membership.objects.get(company=world.company, user=world.user(Role.VIEWER))
    for team in world.company.teams.all():
        assert can(admin, "manage_team", team)
        assert not can(viewer, "contribute", team)


def test_company_language_is_the_default_and_a_cookie_overrides_it(client, world):
    world.company.language = "en"
    world.company.save()
    client.force_login(world.user(Role.VIEWER))
    url = reverse("dashboard", args=[world.company.slug])
    assert 'lang="en"' in client.get(url).content.decode()
    client.cookies["kgi_language"] = "ja"
    assert 'lang="ja"' in client.get(url).content.decode()


def test_htmx_partial_responses_vary_on_hx_request(client, world):
    client.force_login(world.user(Role.ADMIN))
    response = client.get(reverse("dashboard", args=[world.company.slug]))
    assert "HX-Request" in response["Vary"]


def test_csrf_token_is_sent_by_htmx_from_body(client, world):
    client.force_login(world.user(Role.ADMIN))
    html = client.get(reverse("dashboard", args=[world.company.slug])).content.decode()
    assert "<body hx-headers='{\"X-CSRFToken\": \"" in html


def test_csp_header_forbids_inline_script(client, world):
    client.force_login(world.user(Role.ADMIN))
    response = client.get(reverse("dashboard", args=[world.company.slug]))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    html = response.content.decode()
    import re

    inline = [s for s in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
              if "application/json" not in s]
    assert inline == [], "no inline script may be rendered"

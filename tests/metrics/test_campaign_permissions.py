"""A campaign is changed only by someone who manages every KPI it is drawn on: admins, the
owning team's managers, company managers for KPIs with no team — not another team's manager."""
import pytest
from django.urls import reverse

from metrics.models import Campaign
from teams.models import Membership, Role, Team, TeamMembership
from tests.metrics.factories import KpiFactory
from tests.world import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketing_manager(world):
    """A company manager who manages marketing, not sales."""
    user = make_user("acme-marketing-manager")
    Membership.objects.create(company=world.company, user=user, role=Role.MANAGER)
    marketing = Team.objects.get(company=world.company, slug="marketing")
    TeamMembership.objects.create(team=marketing, user=user, role="manager")
    return user


@pytest.fixture
def kpis(world):
    marketing = Team.objects.get(company=world.company, slug="marketing")
    return {"sales": KpiFactory(company=world.company, code="deals", team=world.team),
            "marketing": KpiFactory(company=world.company, code="leads", team=marketing),
            "shared": KpiFactory(company=world.company, code="revenue", team=None)}


def _campaign(world, *kpis, name="Spring sale"):
    campaign = Campaign.objects.create(company=world.company, name=name,
                                       start="2026-03-02", end="2026-03-08")
    campaign.kpis.set(kpis)
    return campaign


def _post(**data):
    return {"name": "Autumn promo", "start": "2026-03-02", "end": "2026-03-08", **data}


def test_another_teams_manager_can_neither_edit_nor_delete_its_campaign(client, world, kpis,
                                                                         marketing_manager):
    campaign = _campaign(world, kpis["sales"])
    client.force_login(marketing_manager)
    update = reverse("campaign-update", args=["acme", campaign.pk])
    assert client.get(update).status_code == 403
    assert client.post(update, _post(kpis=[kpis["marketing"].pk])).status_code == 403
    assert client.post(reverse("campaign-delete", args=["acme", campaign.pk])).status_code == 403
    campaign.refresh_from_db()
    assert campaign.name == "Spring sale"
    assert list(campaign.kpis.all()) == [kpis["sales"]]


def test_another_teams_kpi_is_not_a_choice_when_creating(client, world, kpis,
                                                         marketing_manager):
    client.force_login(marketing_manager)
    url = reverse("campaign-create", args=["acme"])
    response = client.post(url, _post(kpis=[kpis["sales"].pk]))
    assert response.status_code == 200  # the form again, with the error
    assert not Campaign.objects.filter(name="Autumn promo").exists()
    response = client.post(url, _post(kpis=[kpis["marketing"].pk,
                                                        kpis["shared"].pk]))
    assert response.status_code == 302
    assert set(Campaign.objects.get(name="Autumn promo").kpis.all()) == {kpis["marketing"],
                                                                 kpis["shared"]}


def test_a_campaign_across_teams_is_for_admins_only(client, world, kpis, marketing_manager):
    campaign = _campaign(world, kpis["sales"], kpis["marketing"])
    update = reverse("campaign-update", args=["acme", campaign.pk])
    for user in (marketing_manager, world.user(Role.MANAGER)):
        client.force_login(user)
        assert client.get(update).status_code == 403
    client.force_login(world.user(Role.ADMIN))
    assert client.get(update).status_code == 200


def test_the_owning_teams_manager_edits_and_the_list_links_only_what_one_may_change(
        client, world, kpis, marketing_manager):
    ours = _campaign(world, kpis["marketing"], name="Webinar week")
    theirs = _campaign(world, kpis["sales"], name="Spring sale")
    client.force_login(marketing_manager)
    html = client.get(reverse("campaign-list", args=["acme"])).content.decode()
    assert reverse("campaign-update", args=["acme", ours.pk]) in html
    assert reverse("campaign-update", args=["acme", theirs.pk]) not in html
    assert "Spring sale" in html  # reading stays company-wide
    response = client.post(reverse("campaign-update", args=["acme", ours.pk]),
                           _post(kpis=[kpis["marketing"].pk]))
    assert response.status_code == 302
    client.force_login(world.user(Role.MANAGER))  # the sales team's manager
    assert client.post(reverse("campaign-delete", args=["acme", theirs.pk])).status_code == 302
    assert not Campaign.objects.filter(pk=theirs.pk).exists()

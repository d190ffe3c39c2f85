"""Campaigns are scoped by their KPIs' teams: a one-team manager cannot touch another team's."""
from datetime import date

import pytest
from django.urls import reverse

from metrics.models import Campaign, Kpi
from teams.models import Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketing_campaign(world):
    marketing = Team.objects.get(company=world.company, slug="marketing")
    kpi = Kpi.objects.create(company=world.company, code="leads", name_ja="リード数",
                             name_en="Leads", unit="count", team=marketing)
    campaign = Campaign.objects.create(company=world.company, name="Webinar",
                                       start=date(2026, 3, 2), end=date(2026, 3, 8))
    campaign.kpis.set([kpi])
    return campaign


def _url(name, campaign):
    return reverse(name, kwargs={"company": "acme", "campaign_id": campaign.pk})


def test_a_manager_cannot_delete_another_teams_campaign(client, world, marketing_campaign):
    client.force_login(world.user("manager"))  # manages sales only
    response = client.post(_url("campaign-delete", marketing_campaign))
    assert response.status_code == 403
    assert Campaign.objects.filter(pk=marketing_campaign.pk).exists()


def test_a_manager_cannot_edit_another_teams_campaign(client, world, marketing_campaign):
    client.force_login(world.user("manager"))
    assert client.get(_url("campaign-update", marketing_campaign)).status_code == 403
    response = client.post(_url("campaign-update", marketing_campaign), {
        "name": "Hijacked", "start": "2026-01-01", "end": "2026-12-31",
        "kpis": [marketing_campaign.kpis.get().pk]})
    assert response.status_code == 403
    marketing_campaign.refresh_from_db()
    assert marketing_campaign.name == "Webinar"


def test_a_manager_cannot_attach_another_teams_kpi_to_a_new_campaign(client, world,
                                                                      marketing_campaign):
    client.force_login(world.user("manager"))
    leads = marketing_campaign.kpis.get()
    response = client.post(reverse("campaign-create", kwargs={"company": "acme"}), {
        "name": "Silence leads", "start": "2026-01-01", "end": "2026-12-31",
        "kpis": [leads.pk]})
    assert response.status_code == 200  # the form again, with an error on the KPIs
    assert not Campaign.objects.filter(name="Silence leads").exists()
    assert response.context["form"].errors["kpis"]


def test_the_manager_edits_their_own_teams_campaign_and_the_admin_any(client, world,
                                                                      marketing_campaign):
    own = world.extra["campaign"]  # on a KPI of the sales team
    client.force_login(world.user("manager"))
    assert client.get(_url("campaign-update", own)).status_code == 200
    listing = client.get(reverse("campaign-list", kwargs={"company": "acme"})).content.decode()
    assert _url("campaign-update", own) in listing
    assert _url("campaign-update", marketing_campaign) not in listing
    client.force_login(world.user("admin"))
    assert client.post(_url("campaign-delete", marketing_campaign)).status_code == 302
    assert not Campaign.objects.filter(pk=marketing_campaign.pk).exists()

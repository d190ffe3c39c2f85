"""API tokens die with their user, can expire, and can be revoked."""
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from teams.models import ApiToken
from teams.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


def _kpis(client, raw):
    url = reverse("api:api-kpis", kwargs={"company": "acme"})
    return client.get(url, headers={"Authorization": f"Bearer {raw}"})


def test_a_deactivated_users_token_is_refused(client, world):
    user = world.user("manager")
    _token, raw = api_token_create(company=world.company, user=user, name="ci")
    assert _kpis(client, raw).status_code == 200
    user.is_active = False
    user.save()
    assert _kpis(client, raw).status_code == 401


def test_a_token_stops_working_when_it_expires(client, world):
    token, raw = api_token_create(company=world.company, user=world.user("manager"), name="ci",
                                  expires_in_days=30)
    assert token.expires_at > timezone.now() + timedelta(days=29)
    assert _kpis(client, raw).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert _kpis(client, raw).status_code == 401


def test_a_revoked_token_is_refused(client, world):
    token, raw = api_token_create(company=world.company, user=world.user("manager"), name="ci")
    api_token_revoke(company=world.company, token_id=token.pk)
    assert _kpis(client, raw).status_code == 401


def test_the_settings_form_creates_a_token_valid_for_the_chosen_days(client, world):
    client.force_login(world.user("admin"))
    response = client.post(reverse("api-token-create", kwargs={"company": "acme"}),
                           {"name": "ci", "expires_in_days": "30"})
    assert response.status_code == 200
    token = ApiToken.objects.get(name="ci")
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)


def test_the_command_creates_an_expiring_token(world, capsys):
    call_command("create_api_token", company="acme", user="acme-admin", days=7)
    assert capsys.readouterr().out.strip()
    assert ApiToken.objects.get(name="cli").expires_at is not None

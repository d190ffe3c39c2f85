"""Renaming a customer to a name (or ID) another customer has is a form error, not a 500."""
import pytest
from django.urls import reverse

from customers.models import Customer
from teams.models import Role
from tests.customers.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _post(client, world, customer, **changes):
    data = {"name": customer.name, "external_id": customer.external_id, "plan": customer.plan,
            "contract_date": "2025-01-01", "onboarding_status": "complete", **changes}
    return client.post(reverse("customer-edit", kwargs={
        "company": "acme", "team": world.team.slug, "customer_id": customer.pk}), data)


def test_renaming_to_an_existing_name_is_a_form_error(client, world):
    CustomerFactory(team=world.team, name="Acme Corp")
    other = CustomerFactory(team=world.team, name="Beta Ltd")
    client.force_login(world.user(Role.MANAGER))
    client.cookies["kgi_language"] = "en"
    response = _post(client, world, other, name="Acme Corp")
    assert response.status_code == 400
    assert "already called Acme Corp" in response.content.decode()
    assert Customer.objects.get(pk=other.pk).name == "Beta Ltd"


def test_taking_another_customers_id_is_a_form_error(client, world):
    CustomerFactory(team=world.team, name="Acme Corp", external_id="C-1")
    other = CustomerFactory(team=world.team, name="Beta Ltd", external_id="C-2")
    client.force_login(world.user(Role.MANAGER))
    response = _post(client, world, other, external_id="C-1")
    assert response.status_code == 400
    assert Customer.objects.get(pk=other.pk).external_id == "C-2"

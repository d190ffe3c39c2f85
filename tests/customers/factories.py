"""Factories for customer-success tests."""
from datetime import date

import factory

from customers.models import Customer, CustomerMrr


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    company = factory.LazyAttribute(lambda o: o.team.company)
    name = factory.Sequence(lambda n: f"株式会社テスト{n}")
    plan = "スタンダード"
    contract_date = date(2025, 1, 1)
    onboarding_status = "complete"


class CustomerMrrFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerMrr

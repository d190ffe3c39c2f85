"""Twenty identical "record decision" posts (one form, clicked twenty times) record one
decision and one task."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from reviews.models import Decision, Task
from reviews.services import review_open_for_week
from tests.concurrency import post_at_once
from tests.metrics.factories import KpiFactory
from tests.world import build_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

POSTS = 20


@pytest.fixture
def review_form():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks, real concurrency)")
    world = build_world()
    kpi = KpiFactory(company=world.company, code="cvr", team=world.team)
    review = review_open_for_week(team=world.team)
    client = Client()
    client.force_login(world.user("manager"))
    page = client.get(reverse("review-detail", args=["acme", world.team.slug,
                                                     review.week_label]))
    key = page.context["decision_form"]["request_key"].value()
    key = key() if callable(key) else key
    data = {"kpi": kpi.pk, "text": "Shorten the signup form", "task_title": "Draft it",
            "task_owner": world.user("member").pk, "task_due": "2030-01-10",
            "request_key": str(key)}
    url = reverse("review-decision-add", args=["acme", world.team.slug, review.week_label])
    return world, url, data, client.cookies


def test_twenty_concurrent_identical_posts_record_one_decision(review_form):
    world, url, data, cookies = review_form
    assert post_at_once(cookies, url, data, POSTS) == [302] * POSTS
    assert Decision.objects.filter(text="Shorten the signup form").count() == 1
    assert Task.objects.filter(title="Draft it").count() == 1


def test_two_forms_are_two_decisions(review_form):
    world, url, data, cookies = review_form
    client = Client()
    client.cookies = cookies
    client.post(url, data)
    client.post(url, {**data, "request_key": "5b0d0c0e-0000-4000-8000-000000000001"})
    assert Decision.objects.filter(text="Shorten the signup form").count() == 2

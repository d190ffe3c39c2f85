"""A recorded decision can gain a task, be reworded or deleted until the review closes."""
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from reviews.models import Decision, ReviewLog, Task
from reviews.services import decision_add, review_close, review_close_problems
from teams.models import Membership
from tests.reviews.factories import focus_kpi, review_for


def _m(world, role):
    return Membership.objects.get(company=world.company, user=world.users[role])


def _manager(world):
    client = Client()
    client.force_login(world.users["manager"])
    return client


@pytest.mark.django_db
def test_a_decision_without_task_is_refused_unless_keep_course(world):
    review = review_for(world.team)
    kpi = focus_kpi(company=world.company, team=world.team)
    with pytest.raises(ValidationError) as err:
        decision_add(review=review, membership=_m(world, "manager"), kpi=kpi, text="Fix the form")
    assert "task_title" in err.value.message_dict
    assert not Decision.objects.filter(text="Fix the form").exists()
    decision_add(review=review, membership=_m(world, "manager"), kpi=kpi, text="",
                 keep_course=True)
    assert review_close_problems(review) == []
    review_close(review=review, membership=_m(world, "manager"))


@pytest.mark.django_db
def test_a_decision_left_without_task_gets_one_and_the_review_closes(world):
    review = review_for(world.team)
    kpi = focus_kpi(company=world.company, team=world.team)
    # A decision that lost its task (as older data or a deleted task leaves it).
    decision = Decision.objects.create(review=review, kpi=kpi, text="Fix the form",
                                       created_by=world.users["manager"])
    assert review_close_problems(review)
    args = [world.company.slug, world.team.slug, review.week_label, decision.pk]
    page = _manager(world).get(reverse("review-detail", args=args[:3])).content.decode()
    assert reverse("review-task-add", args=args) in page
    response = _manager(world).post(reverse("review-task-add", args=args),
                                    {"title": "Draft the form", "owner": world.users["member"].pk,
                                     "due_date": "2030-01-10"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert decision.tasks.get().title == "Draft the form"
    assert review_close_problems(review) == []


@pytest.mark.django_db
def test_edit_and_delete_are_logged_and_stop_when_the_review_closes(world):
    review = review_for(world.team)
    kpi = focus_kpi(company=world.company, team=world.team)
    decision = decision_add(review=review, membership=_m(world, "manager"), kpi=kpi,
                            text="Fix the form", task_title="Draft", task_due=review.week_start,
                            task_owner=world.users["member"])
    args = [world.company.slug, world.team.slug, review.week_label, decision.pk]
    client = _manager(world)
    client.post(reverse("review-decision-edit", args=args), {"text": "Shorten the form"})
    decision.refresh_from_db()
    assert decision.text == "Shorten the form"
    task = decision.tasks.get()
    client.post(reverse("review-task-delete", args=[*args[:3], task.pk]))
    assert not Task.objects.filter(pk=task.pk).exists()
    client.post(reverse("review-decision-delete", args=args))
    assert not Decision.objects.filter(pk=decision.pk).exists()
    actions = set(ReviewLog.objects.filter(review=review).values_list("action", flat=True))
    assert {"decision_edited", "task_deleted", "decision_deleted"} <= actions

    again = decision_add(review=review, membership=_m(world, "manager"), kpi=kpi, text="",
                         keep_course=True)
    review_close(review=review, membership=_m(world, "manager"))
    response = client.post(reverse("review-decision-delete", args=[*args[:3], again.pk]),
                           follow=True)
    assert Decision.objects.filter(pk=again.pk).exists()
    assert response.status_code == 200

"""A GET never writes: a viewer looking at this week's review does not open it."""
import pytest
from django.urls import reverse

from core.weeks import label, team_today, week_of
from reviews.models import WeeklyReview

pytestmark = pytest.mark.django_db


def _this_week(team):
    return label(*week_of(team_today(team))[:2])


def test_a_viewers_get_of_this_weeks_review_writes_nothing(client, world):
    WeeklyReview.objects.filter(team=world.team).delete()
    client.force_login(world.user("viewer"))
    kwargs = {"company": "acme", "team": world.team.slug}
    response = client.get(reverse("review-this-week", kwargs=kwargs), follow=True)
    assert response.status_code == 200
    detail = client.get(reverse("review-detail", kwargs={**kwargs, "week": _this_week(world.team)}))
    assert detail.status_code == 200
    assert not WeeklyReview.objects.filter(team=world.team).exists()
    assert "review-start" not in detail.content.decode()  # a viewer cannot start it
    assert reverse("review-start", kwargs=kwargs) not in detail.content.decode()


def test_a_member_starts_this_weeks_review_with_a_post(client, world):
    WeeklyReview.objects.filter(team=world.team).delete()
    client.force_login(world.user("member"))
    kwargs = {"company": "acme", "team": world.team.slug}
    page = client.get(reverse("review-detail", kwargs={**kwargs, "week": _this_week(world.team)}))
    assert reverse("review-start", kwargs=kwargs) in page.content.decode()
    assert not WeeklyReview.objects.filter(team=world.team).exists()
    response = client.post(reverse("review-start", kwargs=kwargs))
    assert response.status_code == 302
    assert WeeklyReview.objects.filter(team=world.team).count() == 1
    client.post(reverse("review-start", kwargs=kwargs))
    assert WeeklyReview.objects.filter(team=world.team).count() == 1

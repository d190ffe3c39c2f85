"""The team page shows the team's open tasks and the state of this week's review."""
import pytest

from reviews.models import TaskStatus


@pytest.mark.django_db
def test_team_page_lists_open_tasks_and_links_this_weeks_review(world, client):
    client.force_login(world.user("viewer"))
    url = f"/{world.company.slug}/teams/{world.team.slug}/"
    html = client.get(url).content.decode()
    assert "Run the checkout test" in html  # the world's open task from this week's decision
    assert f"/{world.company.slug}/teams/{world.team.slug}/review/" in html
    task = world.extra["review_task"]
    task.status = TaskStatus.DONE
    task.save()
    assert "Run the checkout test" not in client.get(url).content.decode()


@pytest.mark.django_db
def test_team_live_reads_in_one_query_what_the_three_selectors_read(
        world, django_assert_num_queries):
    """kgiapp.team_live: tasks (the first eight, soonest due first), this week's review with
    its decision count and the members, as reviews.selectors and teams.selectors read them."""
    from datetime import timedelta

    from django.db import connection

    from kgiapp.team_live import team_live
    from reviews import selectors as review_selectors
    from reviews.models import Decision, Task
    from teams.models import TeamMembership
    from teams.selectors import team_members

    review = world.extra["review"]
    owner = world.user("member")
    owner.first_name, owner.last_name = "Aoi", "Sato"
    owner.save()
    for i in range(10):
        Task.objects.create(team=world.team, review=review, title=f"Step <{i}>", owner=owner,
                            due_date=review.week_start + timedelta(days=9 - i % 4))
    Task.objects.create(team=world.team, review=review, title="Done", owner=owner,
                        due_date=review.week_start, status=TaskStatus.DONE)
    Decision.objects.create(review=review, kpi=world.extra["review_kpi"], text="More")
    TeamMembership.objects.create(team=world.team, user=world.user("viewer"), role="member")

    expected = (review_selectors.team_open_tasks(world.team),
                review_selectors.team_review_status(world.team), list(team_members(world.team)))
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 3):
        tasks, status, members = team_live(world.team)
    assert [(t.pk, t.title, t.due_date, t.owner.get_full_name(), t.owner.username)
            for t in tasks] == [(t.pk, t.title, t.due_date, t.owner.get_full_name(),
                                 t.owner.username) for t in expected[0]]
    assert len(tasks) == 8
    assert (status.pk, status.get_status_display(), status.decision_count) == (
        expected[1].pk, expected[1].get_status_display(), expected[1].decision_count) == (
        review.pk, review.get_status_display(), 2)
    assert [(m.pk, m.user.username, m.user.get_full_name(), m.get_role_display())
            for m in members] == [(m.pk, m.user.username, m.user.get_full_name(),
                                   m.get_role_display()) for m in expected[2]]
    assert len(members) == 3


@pytest.mark.django_db
def test_team_live_without_a_review_or_tasks(world):
    from kgiapp.team_live import team_live
    from teams.models import Team

    team = Team.objects.create(company=world.company, slug="empty", name="Empty")
    assert team_live(team) == ([], None, [])

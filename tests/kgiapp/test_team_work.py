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

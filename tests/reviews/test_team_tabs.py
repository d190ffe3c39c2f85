"""The weekly review's team tabs: every team's review of this week, folded when there are many."""
import re

import pytest

from reviews.services import review_open_for_week
from reviews.views.review import TEAM_TABS
from tests.kgiapp.bigorg import build_org


def _page(client, slug, teams, first_name=None):
    _company, user, team_objs, _kpis = build_org(slug, teams=teams, kpis_per_team=2, periods=3)
    if first_name:
        team_objs[0].name = first_name
        team_objs[0].save(update_fields=["name"])
    review = review_open_for_week(team=team_objs[1])
    client.force_login(user)
    html = client.get(f"/{slug}/teams/t1/reviews/{review.week_label}/").content.decode()
    nav = re.search(r'<nav class="tabs review-teams"[^>]*>(.*?)</nav>', html, re.S).group(1)
    return html, re.findall(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>', nav)


@pytest.mark.django_db
def test_a_few_teams_are_tabs_to_each_teams_review(client):
    html, links = _page(client, "few", 3)
    assert [(href, name) for href, _cur, name in links] == [
        (f"/few/teams/t{i}/review/", f"Team {i:02d}") for i in range(3)]
    assert [name for _href, current, name in links if current] == ["Team 01"]
    assert "review-teams-more" not in html


@pytest.mark.django_db
def test_many_teams_fold_into_a_list_opened_on_demand(client):
    html, links = _page(client, "many", TEAM_TABS + 3)
    assert len(links) == TEAM_TABS + 3
    folded = re.search(r'<details class="review-teams-more"><summary>([^<]+)</summary>', html)
    assert folded, html[:2000]
    # In the page's language (the company's: Japanese by default).
    assert folded.group(1) == f"ほかのチームのレビュー（{TEAM_TABS + 3} チーム）"


@pytest.mark.django_db
def test_a_team_name_is_escaped_in_the_tabs(client):
    html, links = _page(client, "esc", 2, first_name="<b>R&D</b>")
    assert "&lt;b&gt;R&amp;D&lt;/b&gt;</a>" in html
    assert "<b>R&D</b>" not in html
    assert len(links) == 2


@pytest.mark.django_db
def test_the_week_start_reads_in_the_pages_language(client):
    # Japanese writes "2026/11/30〜"; English "from 2026/11/30" (no Japanese mark on its page).
    company, user, teams, _kpis = build_org("weeks", teams=1, kpis_per_team=1, periods=3)
    review = review_open_for_week(team=teams[0])
    start = f"{review.week_start.year}/{review.week_start.month}/{review.week_start.day}"
    client.force_login(user)
    pages = [f"/weeks/teams/t0/reviews/{review.week_label}/", "/weeks/teams/t0/reviews/"]
    for page in pages:
        assert f"{start}〜" in client.get(page).content.decode()
    company.language = "en"
    company.save(update_fields=["language"])
    for page in pages:
        html = client.get(page).content.decode()
        assert f"from {start}" in html and "〜" not in html

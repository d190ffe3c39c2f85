"""The at-risk defaults give a list a team can work through (the demo roster: at most 15 %
of active customers, not four in ten), biggest MRR first, and say what each rule adds."""
import pytest
from django.urls import reverse
from django.utils import timezone

from customers import selectors as cs_selectors
from customers import services as cs_services
from customers.demo import seed_customers
from teams.models import Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_team(world):
    team = Team.objects.create(company=world.company, slug="cs", name="CS")
    seed_customers(world.company)
    return team


def test_the_default_rules_flag_a_workable_list_of_the_demo_roster(demo_team):
    today = timezone.localdate()
    rules = cs_services.risk_rules_for(demo_team)
    rows, summary = cs_selectors.at_risk_list(demo_team, rules, today)
    assert 0.03 * summary["active"] <= len(rows) <= 0.15 * summary["active"]
    mrrs = [row["mrr"] or 0 for row in rows]
    assert mrrs == sorted(mrrs, reverse=True)
    assert summary["mrr_at_risk"] == sum(mrrs)
    # Each rule's count is who would leave the list without it: check one by switching it off.
    adds = {r["code"]: r["adds"] for r in summary["rules"]}
    rules.nps_max = None
    assert len(cs_selectors.at_risk_rows(demo_team, rules, today)) == len(rows) - adds["low_nps"]


def test_the_page_shows_mrr_at_risk_and_what_each_rule_adds(demo_team, client, world):
    client.force_login(world.user("admin"))
    client.cookies["kgi_language"] = "en"
    html = client.get(reverse("cs-at-risk", args=[world.company.slug, demo_team.slug]))
    html = html.content.decode()
    assert "MRR at risk ¥" in html and "What each rule puts on the list" in html
    assert "Low NPS:" in html
    # Per team by design (docs/architecture.md): the page says whose rules they are.
    assert f"These rules are {demo_team.name}'s: each team sets its own" in html


def test_company_settings_link_each_team_to_its_rules_and_the_csv_has_mrr(demo_team, client,
                                                                         world):
    client.force_login(world.user("admin"))
    client.cookies["kgi_language"] = "en"
    html = client.get(reverse("company-settings", args=[world.company.slug])).content.decode()
    assert reverse("cs-at-risk", args=[world.company.slug, demo_team.slug]) + "#rules" in html
    csv = client.get(reverse("cs-at-risk-csv", args=[world.company.slug, demo_team.slug]))
    header = csv.content.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("Customer,Plan,MRR at risk,")

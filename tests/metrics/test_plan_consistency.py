"""The demo and every industry template pass the app's own consistency checks."""
import pytest

from kgiapp.management.commands.seed_demo import run_steps
from metrics.catalog.services import template_instantiate
from metrics.catalog.templates import TEMPLATES
from metrics.models import Focus, Kpi
from metrics.selectors import target_plan
from metrics.tree.presenter import build_tree
from teams.models import Company, Team

pytestmark = pytest.mark.django_db


def _fresh(key):
    """A new company whose first goal is the template's KGI."""
    company = Company.objects.create(slug=f"t-{key}".replace("_", "-"), name=key)
    team = Team.objects.create(company=company, slug="growth", name="Growth")
    template_instantiate(company=company, key=key, team=team)
    return company


def test_the_ec_template_adds_up_to_its_kgi():
    tree = build_tree(_fresh("ec_d2c"))
    assert tree.consistency["ok"], tree.consistency
    assert tree.first_bad is None


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_no_template_is_ten_times_short(key):
    factor = build_tree(_fresh(key)).consistency.get("factor")
    assert factor is None or factor < 3, (key, factor)


def test_the_demo_plan_adds_up_node_by_node_and_every_focus_kpi_has_a_target():
    company = run_steps("demo")
    tree = build_tree(company)
    assert tree.consistency["ok"] and tree.first_bad is None
    assert {c.kpi.code for c in tree.node_checks} >= {"monthly_revenue", "uu", "aov"}
    plan = target_plan(company)
    focus = Kpi.objects.filter(company=company, focus=Focus.ACTIVE, is_vanity=False)
    assert focus.count() >= 10
    from django.utils import timezone
    today = timezone.localdate()
    without = [k.code for k in focus if plan.at(k, None, today) is None]
    assert without == []

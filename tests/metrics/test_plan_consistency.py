"""The demo and every industry template pass the app's own consistency checks."""
import pytest

from kgiapp.management.commands.seed_demo import run_steps
from metrics.catalog.services import template_instantiate
from metrics.catalog.templates import TEMPLATES
from metrics.models import Focus, Kpi
from metrics.selectors import target_plan
from metrics.tree.selectors import build_tree

pytestmark = pytest.mark.django_db


def test_the_ec_template_adds_up_to_its_kgi(world):
    template_instantiate(company=world.company, key="ec_d2c", team=world.team)
    tree = build_tree(world.company)
    assert tree.consistency["ok"], tree.consistency
    assert tree.first_bad is None


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_no_template_is_ten_times_short(world, key):
    template_instantiate(company=world.company, key=key, team=world.team)
    factor = build_tree(world.company).consistency.get("factor")
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

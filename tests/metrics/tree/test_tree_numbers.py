"""The demo's planning example, SMART checks and formula validation with translated messages."""
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kgiapp.management.commands.seed_demo import run_steps
from metrics.models import Kgi, KgiStatus
from metrics.services import kgi_activate, kgi_archive, kgi_smart_check, kpi_create, kpi_update
from metrics.tree.presenter import build_tree
from tests.metrics.factories import KgiFactory, KpiFactory


@pytest.mark.django_db
def test_demo_plan_adds_up_to_the_kgi_and_goal_seek_aov_gives_34583():
    company = run_steps("demo")
    tree = build_tree(company, seek_code="aov")
    result = tree.consistency
    assert [k.code for k in result["leaves"]] == ["uu", "cvr", "aov"]
    assert round(result["computed"]) == 83_030_400  # 120,000 × 2.0 % × ¥34,596
    assert result["ok"] and result["factor"] == 1.0
    assert round(tree.consistency["seek"]["value"]) == 34_583


@pytest.mark.django_db
def test_sensitivity_ranks_every_leaf_of_the_demo_tree():
    company = run_steps("demo")
    tree = build_tree(company)
    codes = [row["kpi"].code for row in tree.sensitivity]
    assert {"cvr", "ad_spend", "cpc", "organic_uu"} <= set(codes)
    # Multiplicative CVR moves revenue ~1 %; lower-is-better CPC improves it too.
    by_code = {row["kpi"].code: row["pct"] for row in tree.sensitivity}
    assert by_code["cvr"] == pytest.approx(1.0, abs=0.01)
    assert by_code["cpc"] > 0
    assert abs(by_code["cvr"]) >= abs(by_code["organic_uu"])


@pytest.mark.django_db
def test_demo_unlinked_and_vanity_kpis_are_listed_apart():
    tree = build_tree(run_steps("demo"))
    assert {"sns_followers", "page_views"} == {k.code for k in tree.vanity}
    assert "nps" in {k.code for k in tree.unlinked}
    assert "sns_followers" not in {k.code for k in tree.unlinked}


@pytest.mark.django_db
def test_smart_panel_names_the_missing_letters(world):
    kgi = KgiFactory(company=world.company, deadline=None, why="")
    missing = {item.letter: item.reasons for item in kgi_smart_check(kgi) if not item.ok}
    assert set(missing) == {"S", "M", "R", "T"}  # no KPI, no why, no deadline
    with pytest.raises(ValidationError):
        kgi_activate(kgi=kgi)


@pytest.mark.django_db
def test_one_active_kgi_per_company_and_archiving_keeps_history(world):
    root = KpiFactory(company=world.company, code="rev", unit="JPY")
    first = KgiFactory(company=world.company, kpi=root)
    second = KgiFactory(company=world.company, kpi=root, name="Second goal")
    kgi_activate(kgi=first)
    with pytest.raises(ValidationError):
        kgi_activate(kgi=second)
    kgi_archive(kgi=first)
    kgi_activate(kgi=second)
    assert Kgi.objects.get(pk=first.pk).status == KgiStatus.ARCHIVED
    assert Kgi.objects.get(pk=first.pk).archived_at is not None
    assert Kgi.objects.filter(pk__in=[first.pk, second.pk]).count() == 2


@pytest.mark.django_db
def test_kpi_formula_with_unknown_code_is_refused_in_japanese(world):
    KpiFactory(company=world.company, code="uu")
    with translation.override("ja"), pytest.raises(ValidationError) as refused:
        kpi_create(company=world.company, code="revenue", name_ja="売上", name_en="Revenue",
                   formula="uu * cvr")
    message = refused.value.message_dict["formula"][0]
    assert "cvr" in message and "KPI" in message


@pytest.mark.django_db
def test_kpi_formula_cycle_across_the_company_is_refused(world):
    kpi_create(company=world.company, code="a", name_ja="A", name_en="A")
    kpi_create(company=world.company, code="b", name_ja="B", name_en="B", formula="a * 2")
    a = world.company.kpis.get(code="a")
    with pytest.raises(ValidationError) as refused:
        kpi_update(kpi=a, formula="b + 1")
    assert "a → b → a" in refused.value.message_dict["formula"][0]


@pytest.mark.django_db
def test_kpi_formula_limits_and_forbidden_constructs(world):
    KpiFactory(company=world.company, code="x")
    # 301 names and 300 operators: over the parser's 500 parts.
    for text, needle in [("x" + " + x" * 300, "500"), ("__import__('os')", "allowed")]:
        with translation.override("en"), pytest.raises(ValidationError) as refused:
            kpi_create(company=world.company, code="y", name_ja="Y", name_en="Y", formula=text)
        assert needle in refused.value.message_dict["formula"][0]


@pytest.mark.django_db
def test_deadline_before_start_is_not_time_bound(world):
    kgi = KgiFactory.build(company=world.company, start_date=date(2027, 1, 1),
                           deadline=date(2026, 1, 1))
    letters = {i.letter: i.ok for i in kgi_smart_check(kgi)}
    assert letters["T"] is False

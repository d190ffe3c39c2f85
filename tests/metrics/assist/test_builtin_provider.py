"""The built-in provider matches the KGI's words to an industry template, in Japanese or English."""
import pytest

from metrics.assist import get_provider
from metrics.assist.builtin import match_templates
from metrics.catalog.templates import TEMPLATES
from metrics.tree.draft import tree_draft_request


def _draft(world):
    return get_provider("builtin").tree_draft(tree_draft_request(company=world.company))


def _template_codes(key):
    template = TEMPLATES[key]
    return {k.code for k in template.kpis if k.code != template.kgi.root}


@pytest.mark.django_db
@pytest.mark.parametrize("name, why", [
    ("ECサイトの年間売上12億円", "リピート購入を増やし、広告費に頼らずに伸ばすため。"),
    ("Online store annual revenue of ¥1.2B", "Grow on repeat customers instead of ad spend."),
])
def test_an_ec_revenue_kgi_gets_the_ec_template_tree(world, make_goal, name, why):
    make_goal(name, why)
    answer = _draft(world)
    assert answer.source == "ec_d2c"
    assert {k.code for k in answer.draft.kpis} == _template_codes("ec_d2c")
    # The template's root formula is put on the KGI's own KPI ("revenue", not "annual_revenue").
    assert answer.draft.root_code == "revenue"
    assert answer.draft.root_formula.startswith("monthly_uu * cvr * aov")


@pytest.mark.django_db
@pytest.mark.parametrize("name, why", [
    ("ARR 5億円・NRR 115%", "サブスクの解約を抑え、アップセルで既存顧客を伸ばすため。"),
    ("Reach ¥500M ARR", "Our SaaS must grow on expansion and lower churn."),
])
def test_a_saas_arr_kgi_gets_the_saas_tree(world, make_goal, name, why):
    make_goal(name, why, code="arr_total", name_ja="ARR", name_en="ARR")
    answer = _draft(world)
    assert answer.source == "b2b_saas"
    assert {k.code for k in answer.draft.kpis} == _template_codes("b2b_saas")
    assert answer.draft.root_formula == "starting_arr * nrr + new_arr"
    assert "arr" in answer.matched


@pytest.mark.django_db
@pytest.mark.parametrize("name, why", [
    ("ほげほげ計画を達成する", "みんなで頑張るため。とにかく頑張る。"),
    ("Make the blue widget happier", "Because the moon said so, twice."),
])
def test_nonsense_gets_an_honest_no_match(world, make_goal, name, why):
    make_goal(name, why, code="goal_value", name_ja="目標値", name_en="Goal value")
    answer = _draft(world)
    assert answer.draft is None and answer.source == ""


def test_latin_keywords_match_whole_words_only():
    # "decrease" contains "ec", "leading" contains "lead": neither is a match.
    assert match_templates("decrease the leading indicator") == []
    assert match_templates("ＥＣ売上")[0][0].key == "ec_d2c"  # full-width letters fold


@pytest.mark.django_db
def test_no_match_page_lists_the_templates_and_drafts_from_a_chosen_one(client, world,
                                                                         make_goal):
    from django.urls import reverse

    make_goal("ほげほげ計画を達成する", "みんなで頑張るため。とにかく頑張る。",
              code="goal_value")
    client.force_login(world.user("admin"))
    url = reverse("tree-assist", args=[world.company.slug])
    page = client.post(url, {"provider": "builtin"}).content.decode()
    assert 'id="no-match"' in page
    for template in TEMPLATES.values():
        assert template.name_ja in page
    chosen = client.post(url, {"provider": "builtin", "template": "b2b_leadgen"}).content.decode()
    assert 'id="draft"' in chosen and "webinar_leads" in chosen

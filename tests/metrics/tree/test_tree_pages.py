"""The tree page, the focus toggle in place, templates and the API."""
import pytest
from django.core.management import call_command
from django.urls import reverse

from metrics.catalog.services import template_instantiate
from metrics.models import Focus, Kgi, KgiStatus, Kpi
from teams.services import api_token_create


@pytest.mark.django_db
def test_tree_page_shows_the_consistency_check_and_goal_seek(client, world, fan,
                                                             django_assert_max_num_queries):
    client.force_login(world.user("viewer"))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("kgi-tree", args=[world.company.slug]), {"seek": "k0"})
    assert response.status_code == 200
    assert b"k9" in response.content


@pytest.mark.django_db
def test_manager_toggles_focus_and_the_eighth_refusal_shows_in_place(client, world, fan):
    client.force_login(world.user("manager"))
    for kpi in fan["leaves"][:7]:
        client.post(reverse("kpi-focus", args=[world.company.slug, kpi.code]),
                    {"state": "active"}, headers={"HX-Request": "true"})
    response = client.post(reverse("kpi-focus", args=[world.company.slug, "k7"]),
                           {"state": "active"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="focus-k7"' in text and "<html" not in text
    assert "k0" in text and "k6" in text  # the seven are named
    assert Kpi.objects.filter(team=world.team, focus=Focus.ACTIVE).count() == 7


@pytest.mark.django_db
def test_template_instantiates_in_one_action_and_refuses_code_clashes(world):
    Kgi.objects.filter(company=world.company).delete()
    kgi = template_instantiate(company=world.company, key="b2b_saas", team=world.team).kgi
    assert kgi.status == KgiStatus.ACTIVE
    assert Kpi.objects.filter(company=world.company, code="mql_to_sql").exists()
    with pytest.raises(Exception) as clash:
        template_instantiate(company=world.company, key="b2b_saas")
    assert "arr" in str(clash.value)
    assert Kgi.objects.filter(company=world.company).count() == 1


@pytest.mark.django_db
def test_api_focus_returns_409_with_the_message_when_the_cap_would_break(client, world, fan):
    _token, raw = api_token_create(company=world.company, user=world.user("manager"), name="t")
    auth = {"Authorization": f"Bearer {raw}"}
    for kpi in fan["leaves"][:7]:
        ok = client.post(f"/api/v1/{world.company.slug}/kpis/{kpi.code}/focus",
                         {"state": "active"}, content_type="application/json", headers=auth)
        assert ok.status_code == 200, ok.content
    refused = client.post(f"/api/v1/{world.company.slug}/kpis/k7/focus", {"state": "active"},
                          content_type="application/json", headers=auth)
    assert refused.status_code == 409
    assert "k0" in refused.json()["detail"]
    tree = client.get(f"/api/v1/{world.company.slug}/kgi/tree", headers=auth).json()
    assert tree["formulas"]["root"].startswith("k0 + k1")
    assert len(tree["sensitivity"]) == 0 or tree["sensitivity"][0]["code"].startswith("k")


@pytest.mark.django_db
def test_create_api_token_prints_the_raw_token_once(world, capsys):
    call_command("create_api_token", company=world.company.slug, user="acme-admin")
    raw = capsys.readouterr().out.strip()
    assert len(raw) > 20
    from teams.services import api_token_authenticate

    assert api_token_authenticate(raw, world.company.slug) is not None

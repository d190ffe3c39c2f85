"""Accepting a reviewed draft creates exactly it, all or nothing; only admins may."""
import re

import pytest
from django.core import signing
from django.urls import reverse

import metrics.tree.draft as tree_draft
from metrics.catalog.templates import TEMPLATES
from metrics.models import Focus, Kpi

EC_NAME = "ECサイトの年間売上12億円"
EC_WHY = "リピート購入を増やし、広告費に頼らずに伸ばすため。"


def _review(client, world):
    """Propose with the built-in provider and return the signed draft from the review page."""
    page = client.post(reverse("tree-assist", args=[world.company.slug]),
                       {"provider": "builtin"}).content.decode()
    return re.search(r'name="draft" value="([^"]+)"', page).group(1)


def _accept(client, world, signed, **extra):
    return client.post(reverse("tree-assist-accept", args=[world.company.slug]),
                       {"draft": signed, **extra})


def _codes(world):
    return set(Kpi.objects.filter(company=world.company).values_list("code", flat=True))


@pytest.mark.django_db
def test_accept_creates_exactly_the_reviewed_draft(client, world, make_goal):
    make_goal(EC_NAME, EC_WHY)
    client.force_login(world.user("admin"))
    before = _codes(world)
    signed = _review(client, world)
    assert _codes(world) == before  # reviewing saved nothing
    response = _accept(client, world, signed, team=world.team.pk)
    assert response.status_code == 302 and response["Location"].endswith("/tree/")
    template = TEMPLATES["ec_d2c"]
    # The world already has a UU (dash_uu) and a conversion rate (world_cvr): reused by meaning.
    reused = {"monthly_uu": "dash_uu", "cvr": "world_cvr"}
    expected = {k.code: k for k in template.kpis
                if k.code != template.kgi.root and k.code not in reused}
    assert _codes(world) - before == set(expected)
    for kpi in Kpi.objects.filter(company=world.company, code__in=expected):
        spec = expected[kpi.code]
        assert (kpi.name_ja, kpi.name_en, kpi.unit, kpi.direction, kpi.kind, kpi.phase,
                kpi.cadence, kpi.aggregation, kpi.formula) == (
            spec.name_ja, spec.name_en, spec.unit, spec.direction, spec.kind, spec.phase,
            spec.cadence, spec.aggregation, spec.formula)
        assert kpi.team_id == world.team.pk and kpi.focus == Focus.MONITORING
    root = Kpi.objects.get(company=world.company, code="revenue")
    formula = next(k.formula for k in template.kpis if k.code == template.kgi.root)
    for old, new in reused.items():
        formula = formula.replace(old, new)
    assert root.formula == formula  # an annual KGI keeps the template's × 12
    tree = client.get(reverse("kgi-tree", args=[world.company.slug])).content.decode()
    assert "dash_uu" in tree and "return_rate" in tree and "tree-empty" not in tree


@pytest.mark.django_db
def test_existing_kpis_are_kept_and_shown_as_existing(client, world, make_goal):
    make_goal(EC_NAME, EC_WHY)
    Kpi.objects.create(company=world.company, code="cvr", name_ja="既存CVR", name_en="Our CVR",
                       unit="percent")
    client.force_login(world.user("admin"))
    page = client.post(reverse("tree-assist", args=[world.company.slug]),
                       {"provider": "builtin"}).content.decode()
    row = re.search(r'<li class="([^"]*)" data-code="cvr">', page)
    assert row and "assist-exists" in row.group(1)
    assert re.search(r'<li class="assist-row depth-\d assist-new[^"]*" data-code="aov">', page)
    _accept(client, world, re.search(r'name="draft" value="([^"]+)"', page).group(1))
    cvr = Kpi.objects.get(company=world.company, code="cvr")
    assert cvr.name_en == "Our CVR"  # not overwritten by the draft
    assert Kpi.objects.filter(company=world.company, code="aov").exists()


@pytest.mark.django_db
def test_a_failure_half_way_saves_nothing(client, world, make_goal, monkeypatch):
    make_goal(EC_NAME, EC_WHY)
    client.force_login(world.user("admin"))
    signed = _review(client, world)
    before = set(Kpi.objects.filter(company=world.company).values_list("code", "formula"))
    real_create, calls = tree_draft.kpi_create, []

    def third_one_fails(**fields):
        calls.append(fields["code"])
        if len(calls) == 3:
            raise tree_draft.ValidationError("disk on fire")
        return real_create(**fields)

    monkeypatch.setattr(tree_draft, "kpi_create", third_one_fails)
    response = _accept(client, world, signed)
    assert response.status_code == 200 and "disk on fire" in response.content.decode()
    assert len(calls) == 3  # two KPIs were created before the failure …
    # … and rolled back with the root's formula.
    assert set(Kpi.objects.filter(company=world.company).values_list("code", "formula")) == before


@pytest.mark.django_db
def test_a_tampered_or_foreign_draft_is_refused(client, world, make_goal):
    make_goal(EC_NAME, EC_WHY)
    client.force_login(world.user("admin"))
    client.cookies["kgi_language"] = "en"
    signed = _review(client, world)
    before = _codes(world)
    forged = signed[:-3] + ("AAA" if not signed.endswith("AAA") else "BBB")
    assert "no longer valid" in _accept(client, world, forged).content.decode()
    foreign = signing.dumps({"company": world.other.pk, "root": "revenue", "draft": {}},
                            salt=tree_draft.SIGNING_SALT, compress=True)
    assert "no longer valid" in _accept(client, world, foreign).content.decode()
    assert _codes(world) == before


@pytest.mark.django_db
def test_accepting_twice_creates_nothing_the_second_time(client, world, make_goal):
    make_goal(EC_NAME, EC_WHY)
    client.force_login(world.user("admin"))
    signed = _review(client, world)
    assert _accept(client, world, signed).status_code == 302
    after_first = set(Kpi.objects.filter(company=world.company).values_list("code", "formula"))
    second = _accept(client, world, signed)
    # Every KPI now exists: the second acceptance creates none and changes no formula.
    assert second.status_code == 302
    assert set(Kpi.objects.filter(company=world.company)
               .values_list("code", "formula")) == after_first


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["executive", "manager", "member", "viewer"])
def test_only_admins_may_propose_or_accept(client, world, make_goal, role):
    make_goal(EC_NAME, EC_WHY)
    admin = client
    admin.force_login(world.user("admin"))
    signed = _review(admin, world)
    before = _codes(world)
    admin.force_login(world.user(role))
    assert admin.post(reverse("tree-assist", args=[world.company.slug])).status_code == 403
    assert _accept(admin, world, signed).status_code == 403
    assert _codes(world) == before


@pytest.mark.django_db
def test_assistant_page_and_tree_link(client, world, make_goal, django_assert_max_num_queries):
    make_goal(EC_NAME, EC_WHY)
    client.force_login(world.user("admin"))
    tree = client.get(reverse("kgi-tree", args=[world.company.slug])).content.decode()
    url = reverse("tree-assist", args=[world.company.slug])
    assert 'class="notice tree-empty"' in tree and url in tree
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert page.status_code == 200 and EC_NAME in page.content.decode()


@pytest.mark.django_db
def test_without_an_active_kgi_the_page_says_what_to_do(client, world):
    client.force_login(world.user("admin"))
    client.cookies["kgi_language"] = "en"
    page = client.post(reverse("tree-assist", args=[world.company.slug])).content.decode()
    assert "Set an active KGI first" in page and 'id="draft"' not in page

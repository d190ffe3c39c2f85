"""An empty company: every page says what is missing and links to the step that fills it;
the checklist claims nothing; the first-run path leads through the steps; the KGI a person
made is never replaced by a template."""
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from metrics.models import Kgi, KgiStatus, Kpi
from teams.models import Company, Membership, Role, Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    return Company.objects.create(slug="fresh", name="Fresh")


@pytest.fixture
def admin(client, company):
    user = get_user_model().objects.create_user("owner", "owner@example.com", "pw")
    Membership.objects.create(company=company, user=user, role=Role.ADMIN)
    client.force_login(user)
    return client


def url(name, anchor=""):
    return reverse(name, args=["fresh"]) + anchor


def test_checklist_is_all_crosses_on_an_empty_company(admin):
    items = admin.get(url("dashboard")).context["checklist"]
    assert len(items) == 6
    assert [item.ok for item in items] == [False] * 6
    rhythm = items[5]
    assert rhythm.fix_url == url("company-settings", "#teams")


def test_rhythm_needs_a_team_and_an_active_kgi(admin, company):
    Team.objects.create(company=company, slug="sales", name="Sales")
    rhythm = admin.get(url("dashboard")).context["checklist"][5]
    assert not rhythm.ok and rhythm.fix_url == url("kgi-edit")


def test_first_run_path_is_numbered_and_links_each_step(admin, company):
    page = admin.get(url("dashboard"))
    steps = page.context["first_run"]
    assert [s.number for s in steps] == [1, 2, 3, 4, 5, 6]
    assert not any(s.done for s in steps)
    assert [s.url for s in steps] == [
        url("company-settings", "#teams"), url("kgi-templates"), url("kgi-tree"),
        url("import-upload"), url("company-settings", "#invite"), url("reforecast-latest")]
    html = page.content.decode()
    assert "はじめの一歩" in html and "チームを作る" in html

    Team.objects.create(company=company, slug="sales", name="Sales")
    steps = admin.get(url("dashboard")).context["first_run"]
    assert steps[0].done and not steps[1].done


def test_first_run_path_is_for_admins_only(client, company):
    viewer = get_user_model().objects.create_user("viewer")
    Membership.objects.create(company=company, user=viewer, role=Role.VIEWER)
    client.force_login(viewer)
    assert client.get(url("dashboard")).context["first_run"] is None


@pytest.mark.parametrize("name,words", [
    ("review-mine", "週次レビュー"),
    ("okr-home", "OKR"),
    ("customers-home", "顧客"),
])
def test_team_pages_without_a_team_say_so_and_link_to_team_creation(admin, name, words):
    response = admin.get(url(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="empty-state"' in html and words in html
    assert "チームがまだありません" in html
    assert url("company-settings", "#teams") in html


def test_alignment_map_with_no_objectives_claims_nothing(admin):
    html = admin.get(url("alignment-map")).content.decode()
    assert "すべてKGIに貢献しています" not in html
    assert 'data-testid="no-objectives"' in html
    assert url("okr-home") in html and url("kgi-edit") in html


def test_kgi_draft_can_be_saved_before_any_kpi_exists(admin, company):
    response = admin.post(url("kgi-edit"), {"name": "売上を2倍にする", "why": "成長のため"})
    assert response.status_code == 302
    kgi = Kgi.objects.get(company=company)
    assert kgi.status == KgiStatus.DRAFT and kgi.kpi_id is None
    assert admin.get(url("kgi-edit")).context["kgi"] == kgi


def test_template_never_replaces_the_kgi_the_user_made(admin, company):
    mine = Kgi.objects.create(company=company, name="私たちのKGI")
    page = admin.get(url("kgi-templates")).content.decode()
    assert "私たちのKGI" in page  # the page says beforehand that it is kept
    response = admin.post(url("kgi-templates"), {"template": "b2b_saas"}, follow=True)
    assert response.status_code == 200
    assert list(Kgi.objects.filter(company=company)) == [mine]
    mine.refresh_from_db()
    assert mine.status == KgiStatus.DRAFT and mine.name == "私たちのKGI"
    assert Kpi.objects.filter(company=company, code="arr").exists()
    message = " ".join(str(m) for m in response.context["messages"])
    assert "私たちのKGI" in message and "残しました" in message
    assert admin.get(url("kgi-edit")).context["kgi"] == mine


def test_template_on_an_empty_company_creates_and_activates_its_kgi(admin, company):
    response = admin.post(url("kgi-templates"), {"template": "b2b_saas"}, follow=True)
    kgi = Kgi.objects.get(company=company)
    assert kgi.status == KgiStatus.ACTIVE
    steps = admin.get(url("dashboard")).context["first_run"]
    assert steps[1].done and steps[2].done  # the template brings targets too
    assert response.status_code == 200


def test_inviting_someone_ticks_the_people_step_on_the_next_load(admin, company):
    assert not admin.get(url("dashboard")).context["first_run"][4].done
    admin.post(url("invitation-create"), {"email": "new@example.com", "role": "member"})
    assert admin.get(url("dashboard")).context["first_run"][4].done

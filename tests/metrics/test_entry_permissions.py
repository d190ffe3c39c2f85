"""Who may enter or import a KPI's numbers: admins all; a team's people its KPIs; managers
the KPIs with no team. Enforced in the service, so the grid, the import and the API agree."""
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from metrics.imports import import_analyze, import_batch_create, import_commit
from metrics.measurements import Entry, MeasurementError, measurements_bulk_upsert
from metrics.models import ImportBatch, ImportStatus, Measurement, MeasurementRevision
from teams.models import Membership, Role, Team, TeamMembership
from teams.services import api_token_create
from tests.metrics.factories import KpiFactory, small_tree

MONDAY = date(2026, 3, 2)


@pytest.fixture
def kpis(world):
    """uu/cvr/… owned by Sales (the member's team), ``leads`` by Marketing, ``nps`` by nobody."""
    kpis = small_tree(world.company, world.team)
    marketing = Team.objects.get(company=world.company, slug="marketing")
    kpis["leads"] = KpiFactory(company=world.company, code="leads", name_ja="リード数",
                               name_en="Leads", unit="count", cadence="weekly", team=marketing)
    kpis["nps"] = KpiFactory(company=world.company, code="nps", name_ja="NPS", name_en="NPS",
                             unit="score", cadence="weekly", team=None)
    return kpis


def upsert(world, kpis, role, *codes):
    return measurements_bulk_upsert(
        company=world.company, user=world.user(role) if role else None,
        entries=[Entry(kpis[code], MONDAY, Decimal(i + 1), (i + 2, code))
                 for i, code in enumerate(codes)])


def refused(world, kpis, role, *codes):
    with pytest.raises(MeasurementError) as caught:
        upsert(world, kpis, role, *codes)
    return [(e.ref, e.code) for e in caught.value.errors]


@pytest.mark.django_db
def test_a_member_enters_their_teams_kpis_but_not_another_teams_or_teamless_ones(world, kpis):
    assert upsert(world, kpis, Role.MEMBER, "uu", "cvr").new == 2
    with translation.override("en"):
        assert refused(world, kpis, Role.MEMBER, "uu", "leads", "nps") == [
            ((3, "leads"), "not_allowed"), ((4, "nps"), "not_allowed")]
    # All or nothing: the allowed uu of the refused batch was not written either.
    assert Measurement.objects.get(kpi=kpis["uu"]).value == Decimal(1)


@pytest.mark.django_db
def test_the_refusal_names_the_kpi_and_its_team_in_the_users_language(world, kpis):
    with translation.override("en"), pytest.raises(MeasurementError) as caught:
        upsert(world, kpis, Role.MEMBER, "leads", "nps")
    assert [e.message for e in caught.value.errors] == [
        "leads belongs to the team Marketing; you may enter numbers only for your own teams' "
        "KPIs.",
        "nps has no owner team; only admins and managers may enter its numbers."]
    with translation.override("ja"), pytest.raises(MeasurementError) as caught:
        upsert(world, kpis, Role.MEMBER, "leads")
    assert "Marketing" in caught.value.errors[0].message
    assert "自分のチーム" in caught.value.errors[0].message


@pytest.mark.django_db
def test_a_manager_enters_teamless_kpis_and_their_teams_but_not_other_teams(world, kpis):
    assert upsert(world, kpis, Role.MANAGER, "uu", "nps").new == 2
    assert refused(world, kpis, Role.MANAGER, "leads") == [((2, "leads"), "not_allowed")]


@pytest.mark.django_db
def test_an_admin_enters_every_kpi_and_the_system_is_not_checked(world, kpis):
    assert upsert(world, kpis, Role.ADMIN, "uu", "leads", "nps").new == 3
    assert upsert(world, kpis, None, "cvr", "leads", "nps").new == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.VIEWER])
def test_roles_without_contribute_enter_nothing(world, kpis, role):
    TeamMembership.objects.create(team=world.team, user=world.user(role), role="member")
    assert refused(world, kpis, role, "uu") == [((2, "uu"), "not_allowed")]
    assert not Measurement.objects.exists()


@pytest.mark.django_db
def test_someone_who_left_the_company_enters_nothing(world, kpis):
    Membership.objects.filter(user=world.user(Role.MEMBER)).delete()
    assert refused(world, kpis, Role.MEMBER, "uu") == [((2, "uu"), "not_allowed")]


WIDE = "期間,UU,リード数,NPS\r\n2026-03-02,100,5,40\r\n2026-03-09,110,6,42\r\n".encode()


@pytest.mark.django_db
def test_a_members_file_with_other_teams_columns_is_refused_by_row_and_column(client, world,
                                                                            kpis):
    client.force_login(world.user(Role.MEMBER))
    client.cookies["kgi_language"] = "en"
    response = client.post(reverse("import-upload", args=["acme"]),
                           {"file": SimpleUploadedFile("w.csv", WIDE)})
    batch = ImportBatch.objects.latest("pk")
    assert response["Location"] == reverse("import-preview", args=["acme", batch.pk])
    assert batch.language == "en"
    assert batch.status == ImportStatus.INVALID
    assert [(p["row"], p["column"], p["code"]) for p in batch.problems] == [
        (2, "リード数", "not_allowed"), (2, "NPS", "not_allowed"),
        (3, "リード数", "not_allowed"), (3, "NPS", "not_allowed")]
    assert batch.problems[0]["message"].startswith("leads belongs to the team Marketing")
    page = client.get(reverse("import-preview", args=["acme", batch.pk])).content.decode()
    assert "leads belongs to the team Marketing" in page
    client.post(reverse("import-commit", args=["acme", batch.pk]))
    assert not Measurement.objects.exists()


@pytest.mark.django_db
def test_the_same_file_imports_for_an_admin(world, kpis):
    batch = import_batch_create(company=world.company, user=world.user(Role.ADMIN),
                                filename="w.csv", data=WIDE)
    assert import_analyze(batch=batch).status == ImportStatus.READY
    assert import_commit(batch_id=batch.pk).new_count == 6


@pytest.mark.django_db
def test_commit_checks_again_as_the_uploader_who_left_the_team_since_the_preview(world, kpis):
    batch = import_batch_create(company=world.company, user=world.user(Role.MEMBER),
                                filename="u.csv", data=b"kpi,period,value\r\nuu,2026-03-02,1\r\n",
                                language="en")
    assert import_analyze(batch=batch).status == ImportStatus.READY
    TeamMembership.objects.filter(user=world.user(Role.MEMBER)).delete()
    batch = import_commit(batch_id=batch.pk)
    assert batch.status == ImportStatus.INVALID
    assert [(p["row"], p["column"], p["code"]) for p in batch.problems] == [
        (2, "value", "not_allowed")]
    # Written in the uploader's language (English), not the process's default (Japanese).
    assert batch.problems[0]["message"].startswith("uu belongs to the team Sales;")
    assert (Measurement.objects.count(), MeasurementRevision.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_the_api_refuses_another_teams_kpi_for_a_members_token_with_its_index(client, world,
                                                                            kpis):
    _token, raw = api_token_create(company=world.company, user=world.user(Role.MEMBER),
                                   name="t")
    response = client.post(
        reverse("api:api-measurements-upsert", kwargs={"company": "acme"}),
        {"items": [{"kpi": "uu", "period": "2026-03-02", "value": 1},
                   {"kpi": "leads", "period": "2026-03-02", "value": 2}]},
        content_type="application/json", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 422
    assert [(e["index"], e["kpi"]) for e in response.json()["errors"]] == [(1, "leads")]
    assert not Measurement.objects.exists()

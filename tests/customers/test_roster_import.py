"""Roster import: the article's Japanese headers, cp932 and UTF-8-BOM, imperfect data, history."""
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from customers import services as cs_services
from customers.models import Customer, CustomerMrr, CustomerRevision, RosterImport

HEADER = "顧客名,契約プラン,契約日,オンボーディング状況,最終ログイン日,NPSスコア,特記事項,月額,解約日\r\n"
ROSTER = HEADER + (
    "株式会社さくら物産,スタンダード,2025/01/10,完了,2025/05/20,9,担当者が積極的,80000,\r\n"
    "あおば商事株式会社,ライト,2025/02/03,未完了,2025/03/01,,初期設定が難しい,30000,\r\n"
    "株式会社ひかり工業,プロ,2025/03/15,進行中,,4,解約を検討中,\"200,000\",\r\n"
    "株式会社みどり食品,ライト,2024/12/01,導入検討,2025/04/01,7,,30000,2025/04/30\r\n"
)


def preview(world, data, filename="顧客一覧.csv", as_of=date(2025, 6, 1)):
    return cs_services.roster_import_preview(
        company=world.company, team=world.team, user=world.user("manager"), data=data,
        filename=filename, as_of=as_of)


def snapshot(team):
    return sorted(Customer.objects.filter(team=team).values_list(
        "name", "plan", "contract_date", "onboarding_status", "last_login", "nps", "notes",
        "mrr", "churn_date"))


@pytest.mark.django_db
def test_roster_saved_by_excel_as_cp932_with_japanese_headers_imports(world):
    batch = preview(world, ROSTER.encode("cp932"))
    assert batch.problems == []
    assert batch.encoding.lower().replace("-", "_") in ("cp932", "shift_jis", "ms932")
    assert batch.summary["created"] == 4
    cs_services.roster_import_commit(roster_import=batch, user=world.user("manager"))
    sakura = Customer.objects.get(company=world.company, name="株式会社さくら物産")
    assert sakura.contract_date == date(2025, 1, 10)
    assert sakura.onboarding_status == "complete"
    assert sakura.nps == 9 and sakura.mrr == Decimal(80000)
    hikari = Customer.objects.get(name="株式会社ひかり工業")
    assert hikari.onboarding_status == "in_progress" and hikari.mrr == Decimal(200000)
    # 未完了 is "not finished yet": in progress, not "not started".
    assert Customer.objects.get(name="あおば商事株式会社").onboarding_status == "in_progress"
    assert Customer.objects.get(name="株式会社みどり食品").churn_date == date(2025, 4, 30)
    assert CustomerMrr.objects.filter(month=date(2025, 6, 1)).count() == 4


@pytest.mark.django_db
def test_utf8_bom_roster_imports_identically_to_cp932(world):
    first = preview(world, ROSTER.encode("cp932"))
    cs_services.roster_import_commit(roster_import=first, user=None)
    from_cp932 = snapshot(world.team)
    Customer.objects.exclude(pk=world.extra["customer"].pk).delete()
    second = preview(world, ROSTER.encode("utf-8-sig"))
    assert second.problems == []
    cs_services.roster_import_commit(roster_import=second, user=None)
    assert snapshot(world.team) == from_cp932


@pytest.mark.django_db
def test_imperfect_data_is_accepted_and_reported(world):
    batch = preview(world, ROSTER.encode("utf-8"))
    codes = sorted(w["code"] for w in batch.warnings)
    # あおば has no NPS; みどり's 導入検討 is not a status word we know.
    assert codes == ["nps_missing", "unknown_status"]
    unknown = next(w for w in batch.warnings if w["code"] == "unknown_status")
    assert unknown["row"] == 5 and "導入検討" in unknown["message"]
    cs_services.roster_import_commit(roster_import=batch, user=None)
    assert Customer.objects.get(name="株式会社みどり食品").onboarding_status == "unknown"
    assert Customer.objects.get(name="あおば商事株式会社").nps is None


@pytest.mark.django_db
def test_english_headers_import_too(world):
    data = ("customer,plan,contract date,onboarding status,last login,NPS,notes,MRR,CSAT,ID\n"
            "Acme Corp,Pro,2025-01-05,complete,2025-05-01,10,great,120000,5,A-1\n")
    batch = preview(world, data.encode())
    assert batch.problems == []
    cs_services.roster_import_commit(roster_import=batch, user=None)
    acme = Customer.objects.get(name="Acme Corp")
    assert (acme.external_id, acme.csat, acme.nps) == ("A-1", 5, 10)


@pytest.mark.django_db
def test_any_problem_blocks_the_whole_file_and_every_problem_is_listed(world):
    data = HEADER + (
        "株式会社さくら物産,スタンダード,2025/01/10,完了,2025/05/20,11,,80000,\n"
        ",ライト,2025/02/03,完了,,,,,\n"
        "株式会社ひかり工業,プロ,13/15/2025,完了,,5,,-5,\n"
        "株式会社ひかり工業,プロ,2025/03/15,完了,,5,,,2025/01/01\n"
    )
    batch = preview(world, data.encode())
    codes = sorted(p["code"] for p in batch.problems)
    assert codes == sorted(["score_out_of_range", "missing_name", "ambiguous_date",
                            "negative_mrr", "duplicate_name", "churn_before_contract"])
    assert batch.status == "rejected"
    with pytest.raises(ValidationError):
        cs_services.roster_import_commit(roster_import=batch, user=None)
    assert Customer.objects.filter(team=world.team).count() == 1  # the world's own customer


@pytest.mark.django_db
def test_reimport_updates_by_name_and_keeps_history(world):
    cs_services.roster_import_commit(roster_import=preview(world, ROSTER.encode()), user=None)
    changed = ROSTER.replace("株式会社さくら物産,スタンダード,2025/01/10,完了,2025/05/20,9,担当者が積極的,80000",
                             "株式会社さくら物産,プロ,2025/01/10,完了,2025/06/20,10,担当者が積極的,200000")
    batch = preview(world, changed.encode(), as_of=date(2025, 7, 1))
    assert batch.summary == {**batch.summary, "created": 0, "updated": 1, "unchanged": 3}
    cs_services.roster_import_commit(roster_import=batch, user=world.user("member"))
    sakura = Customer.objects.get(name="株式会社さくら物産")
    assert sakura.plan == "プロ" and sakura.nps == 10
    revision = sakura.revisions.first()
    assert revision.changes["plan"] == ["スタンダード", "プロ"]
    assert revision.changes["mrr"] == ["80000", "200000"]
    assert revision.changed_by == world.user("member")
    history = dict(sakura.mrr_history.values_list("month", "mrr"))
    assert history == {date(2025, 6, 1): Decimal(80000), date(2025, 7, 1): Decimal(200000)}
    assert sakura.revisions.count() == 2  # created, then updated


@pytest.mark.django_db
def test_id_column_matches_a_renamed_customer(world):
    first = "ID,顧客名,契約日\nC1,株式会社さくら物産,2025-01-10\n"
    cs_services.roster_import_commit(roster_import=preview(world, first.encode()), user=None)
    renamed = "ID,顧客名,契約日\nC1,さくら物産ホールディングス株式会社,2025-01-10\n"
    batch = preview(world, renamed.encode())
    assert batch.summary["updated"] == 1 and batch.summary["created"] == 0
    cs_services.roster_import_commit(roster_import=batch, user=None)
    customer = Customer.objects.get(company=world.company, external_id="C1")
    assert customer.name == "さくら物産ホールディングス株式会社"


@pytest.mark.django_db
def test_a_committed_import_cannot_be_applied_twice(world):
    batch = preview(world, ROSTER.encode())
    cs_services.roster_import_commit(roster_import=batch, user=None)
    with pytest.raises(ValidationError):
        cs_services.roster_import_commit(roster_import=batch, user=None)
    assert CustomerRevision.objects.filter(roster_import=batch).count() == 4


@pytest.mark.django_db
def test_web_import_preview_then_commit(world, client):
    client.force_login(world.user("member"))
    url = reverse("roster-import", args=[world.company.slug, world.team.slug])
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("顧客.csv", ROSTER.encode("cp932"), content_type="text/csv")
    response = client.post(url, {"file": upload, "as_of": "2025-06-01"})
    batch = RosterImport.objects.latest("pk")
    assert response.status_code == 302 and response["Location"].endswith(f"/import/{batch.pk}/")
    page = client.get(response["Location"])
    assert "株式会社さくら物産" in page.content.decode()
    assert Customer.objects.filter(team=world.team).count() == 1
    commit = reverse("roster-import-commit", args=[world.company.slug, world.team.slug, batch.pk])
    assert client.post(commit).status_code == 302
    assert Customer.objects.filter(team=world.team).count() == 5


@pytest.mark.django_db
def test_viewer_cannot_upload(world, client):
    client.force_login(world.user("viewer"))
    url = reverse("roster-import", args=[world.company.slug, world.team.slug])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(url, {"file": SimpleUploadedFile("r.csv", ROSTER.encode())})
    assert response.status_code == 403
    assert not RosterImport.objects.filter(filename="r.csv").exists()


@pytest.mark.django_db
def test_command_line_import_refuses_and_changes_nothing_on_any_problem(world, tmp_path):
    bad = tmp_path / "cli-roster.csv"
    bad.write_bytes((HEADER + "株式会社さくら物産,,2025/01/10,完了,,99,,,\n").encode("cp932"))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_roster", str(bad), company=world.company.slug,
                     team=world.team.slug, stderr=err)
    assert "score_out_of_range" in err.getvalue()
    assert not RosterImport.objects.filter(filename="cli-roster.csv").exists()
    assert not Customer.objects.filter(name="株式会社さくら物産", team=world.team,
                                       plan="").exists()


@pytest.mark.django_db
def test_command_line_dry_run_then_import(world, tmp_path):
    good = tmp_path / "roster.csv"
    good.write_bytes(ROSTER.encode("cp932"))
    out = StringIO()
    call_command("import_roster", str(good), company=world.company.slug,
                 team=world.team.slug, dry_run=True, stdout=out, stderr=StringIO())
    assert "4 new" in out.getvalue()
    assert Customer.objects.filter(team=world.team).count() == 1
    call_command("import_roster", str(good), company=world.company.slug,
                 team=world.team.slug, stdout=out, stderr=StringIO())
    assert Customer.objects.filter(team=world.team).count() == 5


@pytest.mark.django_db
@pytest.mark.parametrize("blank", ["-", "未回答", "N/A", "－"])
def test_a_blank_like_nps_cell_is_no_answer_with_a_warning_not_a_blocked_import(world, blank):
    data = ROSTER.replace("2025/03/15,進行中,,4,", f"2025/03/15,進行中,,{blank},")
    batch = preview(world, data.encode("utf-8"))
    assert batch.problems == []
    no_answer = [w for w in batch.warnings if w["code"] == "no_answer"]
    assert len(no_answer) == 1 and no_answer[0]["row"] == 4
    cs_services.roster_import_commit(roster_import=batch, user=None)
    assert Customer.objects.get(name="株式会社ひかり工業").nps is None


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "shown", "hidden"), [
    ("ja", ["完了", "進行中"], [">complete<", ">in_progress<", ">not_started<"]),
    ("en", [">Complete<", ">In progress<"], [">complete<", ">in_progress<"]),
])
def test_the_preview_shows_statuses_in_words_not_codes(world, client, language, shown, hidden):
    batch = preview(world, ROSTER.encode("utf-8"))
    client.force_login(world.user("manager"))
    client.cookies["kgi_language"] = language
    html = client.get(reverse("roster-import-preview", args=[
        world.company.slug, world.team.slug, batch.pk])).content.decode()
    for word in shown:
        assert word in html
    for code in hidden:
        assert code not in html

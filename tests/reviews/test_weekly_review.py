"""Opening reviews, carry-over across year ends, notes, tasks, the summary and the API."""
import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from reviews.models import Note, Task, WeeklyReview
from reviews.selectors import carried_tasks, inbox, previous_review, review_page
from reviews.services import decision_add, note_add, review_open_for_week, task_set_status
from reviews.summary import build_summary
from reviews.tasks import open_weekly_reviews
from teams.models import Membership, Team
from teams.services import api_token_create
from tests.reviews.factories import decision_with_task, focus_kpi, review_for


def _m(world, role):
    return Membership.objects.get(company=world.company, user=world.users[role])


@pytest.mark.django_db
def test_the_monday_job_run_twice_opens_one_review_per_team(world):
    open_weekly_reviews.delay()
    open_weekly_reviews.delay()
    teams = Team.objects.count()
    assert WeeklyReview.objects.count() == teams
    assert WeeklyReview.objects.filter(team=world.team).count() == 1


@pytest.mark.django_db
def test_the_teams_time_zone_decides_which_week_it_is(world):
    from datetime import UTC, datetime

    world.team.timezone = "Asia/Tokyo"
    # Sunday 23:30 UTC is already Monday in Tokyo.
    now = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    from core.calendar import team_today

    assert team_today(world.team, now=now) == date(2026, 11, 23)


@pytest.mark.django_db
def test_carry_over_from_iso_week_53_to_week_1(world):
    team = Team.objects.get(company=world.company, slug="marketing")
    w53 = review_open_for_week(team=team, day=date(2026, 12, 31))
    assert (w53.iso_year, w53.iso_week) == (2026, 53)
    kpi = focus_kpi(company=world.company, team=team)
    _decision, task = decision_with_task(w53, kpi, world.users["member"], due_in=2)
    w01 = review_open_for_week(team=team, day=date(2027, 1, 6))
    assert (w01.iso_year, w01.iso_week, w01.week_start) == (2027, 1, date(2027, 1, 4))
    assert previous_review(w01) == w53
    assert list(carried_tasks(w01)) == [task]
    page = review_page(w01, today=date(2027, 1, 5))
    assert page["carried"][0].overdue is True
    assert "First step" in page["draft_summary"]
    assert list(carried_tasks(w53)) == []


@pytest.mark.django_db
def test_decision_with_task_needs_an_owner_from_the_team(world):
    review = review_for(world.team)
    kpi = focus_kpi(company=world.company, team=world.team)
    with pytest.raises(ValidationError):
        decision_add(review=review, membership=_m(world, "manager"), kpi=kpi, text="Go",
                     task_title="Do it", task_owner=world.users["viewer"],
                     task_due=date(2030, 1, 1))
    decision = decision_add(review=review, membership=_m(world, "manager"), kpi=kpi,
                            text="Go", task_title="Do it", task_owner=world.users["member"],
                            task_due=date(2030, 1, 1))
    assert decision.tasks.get().owner == world.users["member"]


@pytest.mark.django_db
def test_dropping_a_task_needs_a_reason_and_re_dating_keeps_it_open(world):
    review = review_for(world.team)
    kpi = focus_kpi(company=world.company, team=world.team)
    _d, task = decision_with_task(review, kpi, world.users["member"])
    member = _m(world, "member")
    with pytest.raises(ValidationError):
        task_set_status(task=task, membership=member, status="dropped")
    task = task_set_status(task=task, membership=member, status="open",
                           due_date=date(2030, 2, 1))
    assert task.status == "open" and task.due_date == date(2030, 2, 1)
    task = task_set_status(task=task, membership=member, status="dropped",
                           drop_reason="Superseded")
    assert task.status == "dropped"


@pytest.mark.django_db
def test_viewer_can_read_the_review_and_cannot_write(world):
    review = review_for(world.team)
    client = Client()
    client.force_login(world.users["viewer"])
    args = [world.company.slug, world.team.slug, review.week_label]
    assert client.get(reverse("review-detail", args=args)).status_code == 200
    for name, data in [("review-note-add", {"kind": "lowlight", "text": "x"}),
                       ("review-decision-add", {}), ("review-summary", {"summary": "x"}),
                       ("review-close", {})]:
        assert client.post(reverse(name, args=args), data).status_code == 403
    assert not Note.objects.exists()


@pytest.mark.django_db
def test_htmx_lowlight_and_decision_render_their_sections(world):
    review = review_for(world.team)
    kpi = focus_kpi(company=world.company, team=world.team)
    client = Client()
    client.force_login(world.users["manager"])
    args = [world.company.slug, world.team.slug, review.week_label]
    response = client.post(reverse("review-note-add", args=args),
                           {"kind": "lowlight", "text": "CVR fell after the release"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and b"CVR fell" in response.content
    assert b"<html" not in response.content
    response = client.post(reverse("review-decision-add", args=args),
                           {"kpi": kpi.pk, "text": "Roll back", "task_title": "Revert",
                            "task_owner": world.users["member"].pk, "task_due": "2030-01-01"},
                           headers={"HX-Request": "true"})
    assert b"Roll back" in response.content
    assert Task.objects.filter(title="Revert", owner=world.users["member"]).count() == 1
    # A KPI of another company is a form error, not a 500.
    other = focus_kpi(company=world.other)
    response = client.post(reverse("review-decision-add", args=args),
                           {"kpi": other.pk, "text": "x"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and Task.objects.filter(title="x").count() == 0


@pytest.mark.django_db
def test_mentions_are_recorded_and_show_in_the_inbox(world):
    review = review_for(world.team)
    note = note_add(review=review, membership=_m(world, "manager"), kind="lowlight",
                    text="@acme-member please check the checkout errors")
    # The email leaves through the outbox (tests/notifications/test_review_mail.py).
    assert list(note.mentions.all()) == [world.users["member"]]
    assert note.mentions_notified_at is None
    box = inbox(world.company, world.users["member"])
    assert [n.text for n in box["mentions"]][0].startswith("@acme-member")
    manager_box = inbox(world.company, world.users["manager"])
    assert review in manager_box["reviews_waiting"]


@pytest.mark.django_db
def test_review_page_query_count_is_pinned(world, django_assert_max_num_queries):
    review = review_for(world.team)
    kpi = focus_kpi(company=world.company, team=world.team)
    for _ in range(3):
        decision_with_task(review, kpi, world.users["member"])
    client = Client()
    client.force_login(world.users["manager"])
    url = reverse("review-detail", args=[world.company.slug, world.team.slug, review.week_label])
    with django_assert_max_num_queries(30):
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_history_finds_every_decision_about_one_kpi_in_a_quarter(world):
    team = Team.objects.get(company=world.company, slug="marketing")
    cvr = world.extra["review_kpi"]
    cpc = focus_kpi(company=world.company, team=team, code="cpc")
    october = review_for(team, day=date(2026, 10, 14))
    decision_with_task(october, cvr, world.users["member"])
    decision_with_task(october, cpc, world.users["member"])
    july = review_for(team, day=date(2026, 7, 8))
    decision_with_task(july, cvr, world.users["member"])
    client = Client()
    client.force_login(world.users["viewer"])
    url = reverse("review-history", args=[world.company.slug, team.slug])
    response = client.get(url, {"kpi": cvr.code, "quarter": "2026Q4"})
    rows = response.context["rows"]
    assert [r.week_label for r, _d in rows] == [october.week_label]
    assert [d.kpi.code for d in rows[0][1]] == [cvr.code]


@pytest.mark.django_db
def test_api_lists_a_weeks_review_and_my_tasks(world):
    review = review_for(world.team)
    kpi = focus_kpi(company=world.company, team=world.team)
    decision_with_task(review, kpi, world.users["member"])
    _t, raw = api_token_create(company=world.company, user=world.users["member"], name="t")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    url = f"/api/v1/{world.company.slug}/teams/{world.team.slug}/reviews"
    data = client.get(url, {"week": review.week_label}).json()
    assert data[0]["week"] == review.week_label
    assert data[0]["decisions"][0]["tasks"][0]["owner"] == "acme-member"
    assert client.get(url, {"week": "2026-W99"}).status_code == 400
    tasks = client.get(f"/api/v1/{world.company.slug}/tasks", {"owner": "me"}).json()
    assert sorted(t["title"] for t in tasks) == ["First step", "Run the checkout test"]


def test_summary_is_a_deterministic_function_of_the_data_in_both_languages():
    numbers = [
        {"name_ja": "購入率", "name_en": "CVR", "change_pct": -12.0, "vs_target_pct": -8.0,
         "direction": "higher"},
        {"name_ja": "クリック単価", "name_en": "CPC", "change_pct": 5.0, "vs_target_pct": None,
         "direction": "lower"},
    ]
    notes = [("lowlight", "決済エラー")]
    overdue = [("LP改修", "佐藤", "2026-11-20")]
    ja = build_summary(numbers=numbers, notes=notes, overdue_tasks=overdue, language="ja")
    en = build_summary(numbers=numbers, notes=notes, overdue_tasks=overdue, language="en")
    assert ja == build_summary(numbers=numbers, notes=notes, overdue_tasks=overdue, language="ja")
    assert "購入率 −12.0 %（悪化）" in ja and "クリック単価 +5.0 %（悪化）" in ja
    assert "目標未達: 購入率（目標比 −8.0 %）" in ja and "期限切れのタスク 1件" in ja
    assert "Biggest movers: CVR −12.0 % (worse)" in en
    assert "Behind target: CVR (−8.0 % vs target)" in en


@pytest.mark.django_db
def test_carried_tasks_reach_the_next_review_via_the_owner_in_my_tasks(world):
    review = review_for(world.team, day=date(2026, 11, 9))
    kpi = focus_kpi(company=world.company, team=world.team)
    decision_with_task(review, kpi, world.users["member"])
    client = Client()
    client.force_login(world.users["member"])
    response = client.get(reverse("my-tasks", args=[world.company.slug]))
    assert b"First step" in response.content
    nxt = review_for(world.team, day=date(2026, 11, 16))
    assert carried_tasks(nxt).count() == 1
    assert nxt.week_start - review.week_start == timedelta(days=7)


@pytest.mark.django_db
def test_week_arrows_only_lead_to_reviews_that_open(world):
    review = review_for(world.team)  # this week's review
    client = Client()
    client.force_login(world.users["viewer"])
    args = [world.company.slug, world.team.slug, review.week_label]
    html = client.get(reverse("review-detail", args=args)).content.decode()
    next_week = review.week_start + timedelta(days=7)
    year, week = next_week.isocalendar()[:2]
    next_label = f"{year}-W{week:02d}"
    assert reverse("review-detail", args=[*args[:2], next_label]) not in html
    for href in re.findall(r'href="([^"]*/reviews/[^"]*)"', html):
        assert client.get(href).status_code == 200, href


@pytest.mark.django_db
def test_the_draft_summary_is_in_the_companys_language_whoever_reads_it(world):
    review = review_for(world.team)
    world.company.language = "ja"
    world.company.save(update_fields=["language"])
    from django.utils import translation

    with translation.override("en"):  # an English-reading viewer
        draft = review_page(review)["draft_summary"]
    assert "今週は大きな変動はありません。" in draft or "大きく動いた指標" in draft
    world.company.language = "en"
    world.company.save(update_fields=["language"])
    review = WeeklyReview.objects.get(pk=review.pk)
    with translation.override("ja"):
        draft = review_page(review)["draft_summary"]
    assert "No large movements this week." in draft or "Biggest movers" in draft

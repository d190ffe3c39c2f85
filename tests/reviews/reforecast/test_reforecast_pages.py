"""The monthly reforecast pages: the executive report, run now, progress, what-if, scenarios.

The company here has a real KPI tree (revenue = uu × cvr × aov, two years of monthly
numbers) and last month's and this month's snapshots computed by the real service, so
the report shows real probabilities, a real waterfall and a real what-if (the `shop`
fixture, in conftest.py).
"""
import math
import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from core.calendar import month_start, parse_month
from metrics.models import Kpi, Measurement
from reviews.models import Reforecast, ReforecastStatus, Scenario
from reviews.reforecast.presenter import _levers, _risks

HX = {"HX-Request": "true"}


def _client(world, role, language="en"):
    client = Client()
    client.force_login(world.users[role])
    client.cookies["kgi_language"] = language
    return client


def _url(name, shop, **extra):
    return reverse(name, kwargs={"company": shop["company"].slug, **extra})


def _month_url(name, row):
    return reverse(name, kwargs={"company": row.company.slug, "month": row.month_key})


# --------------------------------------------------------------------------- the report


@pytest.mark.django_db
def test_viewer_reads_the_report_with_probability_percentiles_and_changes(world, shop):
    row = shop["this"]
    response = _client(world, "viewer").get(_month_url("reforecast-detail", row))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{100 * row.probability:.0f}%" in page
    assert "¥13.0M" in page or "¥13M" in page  # the target, JPY-formatted
    assert "Biggest lever:" in page
    assert "since" in page  # the month-over-month change
    # The decision that mattered links to its weekly review.
    review_url = reverse("review-detail", args=[world.company.slug, world.team.slug,
                                                shop["review"].week_label])
    assert f'href="{review_url}"' in page and "Shorten the checkout" in page
    # The month picker links to last month's snapshot.
    assert _month_url("reforecast-detail", shop["last"]) in page
    # Charts are configured from JSON, never inline script.
    assert 'id="rf-trend" type="application/json"' in page
    assert 'id="rf-waterfall" type="application/json"' in page
    assert "<script>" not in page


@pytest.mark.django_db
def test_the_waterfall_goes_from_last_months_probability_to_this_months(world, shop):
    response = _client(world, "viewer").get(_month_url("reforecast-detail", shop["this"]))
    chart = response.context["report"].waterfall_chart
    bars = chart["data"]["datasets"][0]["data"]
    assert bars[0] == [0, round(100 * shop["last"].probability, 2)]
    assert bars[-1] == [0, round(100 * shop["this"].probability, 2)]
    # Each KPI's bar starts where the previous one ended; the last one ends at this month.
    for before, after in zip(bars[1:-2], bars[2:-1]):
        assert after[0] == before[1]
    assert math.isclose(bars[-2][1], bars[-1][1], abs_tol=0.05)


@pytest.mark.django_db
def test_the_report_speaks_japanese(world, shop):
    response = _client(world, "viewer", "ja").get(_month_url("reforecast-detail",
                                                             shop["this"]))
    page = response.content.decode()
    assert "期限までのKGI達成確率" in page and "最も効くレバー" in page
    assert "購入率" in page and "Conversion rate" not in page
    assert f"{shop['this'].month.year}年{shop['this'].month.month}月" in page


@pytest.mark.django_db
def test_the_headline_is_in_the_companys_language_whoever_reads(world, shop):
    assert world.company.language == "ja"
    response = _client(world, "viewer", "en").get(_month_url("reforecast-detail", shop["this"]))
    report = response.context["report"]
    assert report.headline.startswith("KGI達成確率は")  # the company's language …
    page = response.content.decode()
    assert "Probability of reaching the KGI by the deadline" in page  # … the page the reader's
    assert "Drafted by the built-in method (offline)" in page and report.drafted_by == ""


@pytest.mark.django_db
def test_latest_is_the_newest_finished_month(world, shop):
    Reforecast.objects.create(company=shop["company"], month=date(2099, 1, 1),
                              status=ReforecastStatus.RUNNING, progress=40)
    response = _client(world, "viewer").get(_url("reforecast-latest", shop))
    assert response.status_code == 200
    assert response.context["row"] == shop["this"]


@pytest.mark.django_db
def test_empty_state_explains_and_offers_the_run_button_to_admins_only(world, shop):
    Reforecast.objects.filter(company=world.company).delete()
    url = reverse("reforecast-latest", args=[world.company.slug])
    admin_page = _client(world, "admin").get(url).content.decode()
    viewer_page = _client(world, "viewer").get(url).content.decode()
    run = reverse("reforecast-run", args=[world.company.slug])
    assert f'action="{run}"' in admin_page
    assert f'action="{run}"' not in viewer_page
    assert "runs by itself on the 1st" in viewer_page


@pytest.mark.django_db
def test_empty_state_without_enough_history_names_each_kpi_and_offers_no_run(world, shop):
    Reforecast.objects.filter(company=world.company).delete()
    uu = Kpi.objects.get(company=world.company, code="uu")
    kept = Measurement.objects.filter(kpi=uu).order_by("-period_start").values_list(
        "pk", flat=True)[:1]
    Measurement.objects.filter(kpi=uu).exclude(pk__in=list(kept)).delete()
    url = reverse("reforecast-latest", args=[world.company.slug])
    page = _client(world, "admin").get(url).content.decode()
    assert 'data-testid="rf-not-ready"' in page
    assert 'data-testid="rf-run"' not in page
    assert f"{uu.name_en}: 1 of the 3 months of history needed" in page
    assert reverse("import-upload", args=[world.company.slug]) in page or \
        reverse("numbers-grid", args=[world.company.slug, uu.team.slug]) in page


@pytest.mark.django_db
def test_empty_state_without_an_active_kgi_says_so(world):
    Reforecast.objects.filter(company=world.company).delete()
    url = reverse("reforecast-latest", args=[world.company.slug])
    page = _client(world, "admin").get(url).content.decode()
    assert 'data-testid="rf-not-ready"' in page and 'data-testid="rf-run"' not in page
    assert "There is no active KGI to forecast." in page


@pytest.mark.django_db
def test_outsider_gets_404_and_unknown_months_are_404(world, shop):
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get(_month_url("reforecast-detail", shop["this"])).status_code == 404
    viewer = _client(world, "viewer")
    for month in ("2026-13", "1999-01", "latest", "2026-1"):
        url = f"/{world.company.slug}/reforecasts/{month}/"
        assert viewer.get(url).status_code == 404, month


@pytest.mark.django_db
def test_report_query_count_is_pinned(world, shop, django_assert_max_num_queries):
    client = _client(world, "viewer")
    Scenario.objects.create(company=shop["company"], reforecast=shop["this"], name="A",
                            shifts={"cvr": 5.0}, probability=0.9, p50=1.0)
    url = _month_url("reforecast-detail", shop["this"])
    client.get(url)  # warm the session
    # session, user, membership, months, snapshot, decisions, scenarios, my companies
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(_url("reforecast-latest", shop)).status_code == 200


# --------------------------------------------------------------------------- run now


@pytest.mark.django_db
def test_viewer_and_executive_cannot_run(world, shop):
    url = _url("reforecast-run", shop)
    assert _client(world, "viewer").post(url).status_code == 403
    assert _client(world, "executive").post(url).status_code == 403


@pytest.mark.django_db
def test_run_now_shows_progress_then_sends_the_browser_to_the_report(
        world, shop, django_capture_on_commit_callbacks):
    shop["this"].delete()
    admin = _client(world, "admin")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = admin.post(_url("reforecast-run", shop))
    row = Reforecast.objects.get(company=shop["company"], month=month_start(
        timezone.localdate()))
    assert response.status_code == 302 and response["Location"].endswith(f"/{row.month_key}/")
    assert len(queued) == 1 and row.status == ReforecastStatus.PENDING
    # Until the worker is done the page is a progress bar polling every second.
    page = admin.get(response["Location"]).content.decode()
    progress = _month_url("reforecast-progress", row)
    assert f'hx-get="{progress}"' in page and 'hx-trigger="every 1s"' in page
    partial = admin.get(progress, headers=HX)
    assert partial.status_code == 200 and b"<progress" in partial.content
    assert b"<html" not in partial.content
    queued[0]()  # the worker runs (Celery is eager in these tests)
    row.refresh_from_db()
    assert row.is_done
    done = admin.get(progress, headers=HX)
    assert done["HX-Redirect"] == _month_url("reforecast-detail", row)


@pytest.mark.django_db
def test_a_done_month_is_not_recomputed_and_the_page_says_why(world, shop):
    admin = _client(world, "admin")
    before = Reforecast.objects.get(pk=shop["this"].pk)
    response = admin.post(_url("reforecast-run", shop), follow=True)
    after = Reforecast.objects.get(pk=shop["this"].pk)
    assert (after.completed_at, after.probability) == (before.completed_at, before.probability)
    page = response.content.decode()
    assert "cannot be computed again" in page
    assert 'data-testid="rf-final"' in page and 'data-testid="rf-run"' not in page


@pytest.mark.django_db
def test_a_failed_month_shows_its_error_and_a_retry(world, shop,
                                                    django_capture_on_commit_callbacks):
    row = shop["this"]
    Reforecast.objects.filter(pk=row.pk).update(status=ReforecastStatus.FAILED,
                                                error="time limit", progress=0)
    admin = _client(world, "admin")
    page = admin.get(_month_url("reforecast-detail", row)).content.decode()
    assert "time limit" in page and "Try again" in page and "every 1s" not in page
    viewer_page = _client(world, "viewer").get(_month_url("reforecast-detail", row))
    assert b"Try again" not in viewer_page.content
    with django_capture_on_commit_callbacks(execute=False) as queued:
        admin.post(_url("reforecast-run", shop), {"month": row.month_key})
    row.refresh_from_db()
    assert row.status == ReforecastStatus.PENDING and len(queued) == 1


@pytest.mark.django_db
def test_run_refuses_a_month_it_has_nothing_to_retry_for(world, shop):
    admin = _client(world, "admin")
    count = Reforecast.objects.count()
    for month in ("2999-01", "2001-05", "nonsense"):
        response = admin.post(_url("reforecast-run", shop), {"month": month}, follow=True)
        assert b"That month cannot be computed." in response.content
    assert Reforecast.objects.count() == count


# --------------------------------------------------------------------------- what-if


def _shown_probability(response):
    return re.search(r'data-testid="what-if-probability">([^<]+)<',
                     response.content.decode()).group(1)


def _what_if(client, row, data, htmx=True):
    return client.post(_month_url("reforecast-what-if", row), data,
                       headers=HX if htmx else {})


@pytest.mark.django_db
def test_viewer_moves_cvr_and_sees_a_higher_probability(world, shop):
    row = shop["this"]
    response = _what_if(_client(world, "viewer"), row, {"shift-cvr": "10", "shift-uu": "0"})
    assert response.status_code == 200
    assert b"<html" not in response.content  # a fragment for the htmx swap
    shown = int(_shown_probability(response).rstrip("%"))
    assert shown > round(100 * row.probability)
    assert "good-text" in response.content.decode()  # the difference is shown as a gain


@pytest.mark.django_db
def test_no_move_gives_exactly_the_baseline(world, shop):
    row = shop["this"]
    response = _what_if(_client(world, "viewer"), row, {"shift-cvr": "0"})
    assert _shown_probability(response) == f"{100 * row.probability:.0f}%"
    assert b"No KPI moved: this is the baseline." in response.content


@pytest.mark.parametrize("data, message", [
    ({"shift-cvr": "abc"}, "enter a number between"),
    ({"shift-cvr": "31"}, "enter a number between"),
    ({"shift-cvr": "-30.5"}, "enter a number between"),
    ({"shift-cvr": "nan"}, "enter a number between"),
    ({"shift-cvr": "1e400"}, "enter a number between"),
    ({"shift-nope": "5"}, "has no KPI nope"),
])
@pytest.mark.django_db
def test_bad_what_if_input_gets_a_clear_message(world, shop, data, message):
    client = _client(world, "viewer")
    response = _what_if(client, shop["this"], data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert b"what-if-probability" not in response.content
    full = _what_if(client, shop["this"], data, htmx=False)
    assert full.status_code == 400 and message in full.content.decode()


@pytest.mark.django_db
def test_what_if_needs_a_finished_snapshot(world, shop):
    row = shop["this"]
    Reforecast.objects.filter(pk=row.pk).update(status=ReforecastStatus.RUNNING)
    assert _what_if(_client(world, "viewer"), row, {"shift-cvr": "5"}).status_code == 404


# --------------------------------------------------------------------------- scenarios


@pytest.mark.django_db
def test_executive_saves_a_scenario_and_sees_it_next_to_the_baseline(world, shop):
    row = shop["this"]
    response = _client(world, "executive").post(
        _month_url("reforecast-scenario-save", row),
        {"name": "Checkout push", "shift-cvr": "10", "shift-aov": "-2"}, headers=HX)
    assert response.status_code == 200
    scenario = Scenario.objects.get(reforecast=row)
    assert scenario.shifts == {"cvr": 10.0, "aov": -2.0}
    page = response.content.decode()
    assert "Checkout push" in page and "Baseline" in page
    assert f"{100 * scenario.probability:.0f}%" in page


@pytest.mark.django_db
def test_viewer_cannot_save_a_scenario(world, shop):
    response = _client(world, "viewer").post(
        _month_url("reforecast-scenario-save", shop["this"]),
        {"name": "Mine", "shift-cvr": "10"}, headers=HX)
    assert response.status_code == 403
    assert not Scenario.objects.exists()


@pytest.mark.django_db
def test_a_scenario_needs_a_unique_name(world, shop):
    client, row = _client(world, "executive"), shop["this"]
    url = _month_url("reforecast-scenario-save", row)
    blank = client.post(url, {"name": "  ", "shift-cvr": "5"}, headers=HX)
    assert b"Give the scenario a name." in blank.content
    client.post(url, {"name": "Plan B", "shift-cvr": "5"}, headers=HX)
    again = client.post(url, {"name": "Plan B", "shift-cvr": "7"}, headers=HX)
    assert b"already has a scenario with that name" in again.content
    bad = client.post(url, {"name": "Plan C", "shift-cvr": "99"}, headers=HX)
    assert b"enter a number between" in bad.content
    assert list(Scenario.objects.values_list("name", flat=True)) == ["Plan B"]


# --------------------------------------------------------------------------- selectors


def test_parse_month_accepts_only_real_months():
    assert parse_month("2026-11") == date(2026, 11, 1)
    assert [parse_month(t) for t in ("2026-13", "2026-00", "26-11", "", "2026-11-01")] \
        == [None] * 5


def test_equal_levers_are_one_suggestion_in_words():
    leaves = {code: {"name_en": name, "name_ja": name} for code, name in
              [("cvr", "Conversion rate"), ("aov", "AOV"), ("cpc", "Cost per click"),
               ("nps", "NPS")]}
    ranking = [{"code": "cvr", "delta_pp": 2.16, "delta_p50_pct": 1.0, "direction": 1},
               {"code": "aov", "delta_pp": 2.16, "delta_p50_pct": 1.0, "direction": 1},
               {"code": "cpc", "delta_pp": 0.97, "delta_p50_pct": 0.5, "direction": -1},
               {"code": "nps", "delta_pp": 0.04, "delta_p50_pct": 0.0, "direction": 1}]
    from django.utils import translation

    with translation.override("en"):
        levers = _levers(ranking, leaves)
    assert levers["sentence"] == (
        "Biggest lever: Conversion rate, AOV (1 % higher: +2.2 pt of probability each). "
        "Next: Cost per click (1 % lower: +1.0 pt).")
    assert len(levers["items"]) == 3 and levers["items"][0]["each"]
    assert levers["weakest"].startswith("NPS move the probability least")


def test_risks_of_snapshots_stored_before_the_kind_fix_read_as_falling():
    leaves = {"cvr": {"name_en": "CVR", "name_ja": "CVR", "unit": "percent"}}
    old = [{"code": "cvr", "kind": "leaf", "delta_pp": -8.0, "before": 1.85, "after": 1.78}]
    new = [{**old[0], "kind": "falling"}]
    assert _risks(old, leaves, {}) == _risks(new, leaves, {})
    assert _risks(new, leaves, {})[0]["kind"] == "falling"


def test_a_risk_that_costs_probability_reads_worsening_whatever_its_direction():
    leaves = {"cpc": {"name_en": "Cost per click", "name_ja": "クリック単価", "unit": "JPY"}}
    rose = [{"code": "cpc", "kind": "falling", "delta_pp": -6.0, "before": 40, "after": 46}]
    with translation.override("en"):
        assert _risks(rose, leaves, {})[0]["badge"] == "worsening"
    with translation.override("ja"):
        assert _risks(rose, leaves, {})[0]["badge"] == "悪化"


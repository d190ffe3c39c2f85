"""What the dashboard, team page and KPI page show, from the demo company's data."""
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.conf import settings as django_settings
from django.urls import path

from core.formatting import format_change
from kgiapp.management.commands.seed_demo import run_steps
from kgiapp.urls import urlpatterns as root_urls
from reviews.models import Reforecast


@pytest.fixture
def demo(db):
    return run_steps("demo")


@pytest.fixture
def executive(client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="demo-executive"))
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.django_db
def test_dashboard_shows_the_north_star_with_progress_and_no_invented_probability(executive):
    html = executive.get("/demo/").content.decode()
    assert "North Star" in html
    assert "/ ¥83M" in html  # the target, unit-formatted
    assert "Target reached" in html and "Time elapsed" in html
    latest = Reforecast.objects.filter(company__slug="demo").order_by("-month").first()
    # Rounded once, half up, as the page's floatformat does (not 0.1 first, then 1).
    shown = Decimal(repr(100 * latest.probability)).quantize(Decimal(1), ROUND_HALF_UP)
    assert f'data-testid="ns-attainment">{shown}%' in html
    Reforecast.objects.filter(company__slug="demo").delete()
    assert "Not yet computed" in executive.get("/demo/").content.decode()


@pytest.mark.django_db
def test_yen_reads_as_man_in_japanese(executive):
    executive.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "ja"
    html = executive.get("/demo/").content.decode()
    assert "/ ¥8,300万" in html


@pytest.mark.django_db
def test_dashboard_groups_kpis_by_phase_and_cadence_and_leaves_vanity_out(executive):
    html = executive.get("/demo/").content.decode()
    for layer in ("daily", "weekly", "monthly"):
        assert f'data-layer="{layer}"' in html
    for phase in ("acquisition", "conversion", "revenue", "retention"):
        assert f"phase-{phase}" in html
    assert 'data-kpi="cvr"' in html and 'data-kpi="sns_followers"' not in html
    assert re.search(r"\d+\.\d %", html)  # percent KPIs as 2.0 %
    assert " h</p>" in executive.get("/demo/?all=1").content.decode()  # hours: 4.4 h


@pytest.mark.django_db
def test_cadence_switch_shows_one_layer_and_works_as_a_plain_link(executive):
    html = executive.get("/demo/?cadence=daily").content.decode()
    assert 'data-layer="daily"' in html and 'data-layer="weekly"' not in html
    assert 'data-kpi="daily_orders"' in html
    partial = executive.get("/demo/?cadence=monthly", HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<section id="layers"')
    assert 'data-kpi="monthly_revenue"' in partial and 'data-kpi="cvr"' not in partial


@pytest.mark.django_db
def test_team_filter_keeps_only_that_teams_kpis(executive):
    html = executive.get("/demo/?team=cs").content.decode()
    assert 'data-kpi="churn_rate"' in html and 'data-kpi="cvr"' not in html
    assert executive.get("/demo/?team=nope").status_code == 404


@pytest.mark.django_db
def test_team_page_shows_focus_kpis_large_and_monitoring_compact(executive):
    html = executive.get("/demo/teams/marketing/").content.decode()
    focus = html.split('id="focus-title"')[1].split("monitoring-title")[0]
    assert 'data-kpi="cvr"' in focus and "lp_bounce_rate" not in focus
    monitoring = html.split('id="monitoring-title"')[1]
    assert "/demo/kpis/lp_bounce_rate/" in monitoring
    assert 'data-slot="open-tasks"' in html and 'data-slot="review-status"' in html


@pytest.mark.django_db
def test_kpi_page_has_chart_config_table_links_and_no_csv_link_without_export(executive):
    html = executive.get("/demo/kpis/cvr/").content.decode()
    assert 'data-chart="kpi-chart-config"' in html and 'id="kpi-chart-config"' in html
    assert "chart.umd.min.js" in html
    assert '"kgiBands"' in html and "ブラックフライデーセール" in html  # campaign band
    assert '"Target"' in html  # target line dataset
    assert "/demo/kpis/monthly_revenue/" in html  # the KPI it feeds
    assert html.count("<tr>") > 50  # the accessible table under the chart
    assert "Download CSV" in html and "numbers/export/?kpi=" in html
    root = executive.get("/demo/kpis/monthly_revenue/").content.decode()
    for code in ("uu", "cvr", "aov"):
        assert f"/demo/kpis/{code}/" in root
    assert executive.get("/demo/kpis/nope/").status_code == 404


def _fake_export(request, company):  # pragma: no cover - only reversed
    raise AssertionError


@pytest.mark.django_db
def test_kpi_page_links_the_csv_export_once_it_exists(executive, settings):
    import sys
    import types

    module = types.ModuleType("dash_test_urls")
    module.urlpatterns = [path("<slug:company>/numbers/export/", _fake_export,
                               name="measurement-export")] + list(root_urls)
    sys.modules["dash_test_urls"] = module
    settings.ROOT_URLCONF = "dash_test_urls"
    html = executive.get("/demo/kpis/cvr/").content.decode()
    assert 'href="/demo/numbers/export/?kpi=cvr"' in html


def test_change_is_signed_in_percent_or_points():
    assert format_change(3.25, "%") == "+3.2 %"
    assert format_change(-0.3, "pt") == "−0.3 pt"
    assert format_change(None, "%") == "—"


@pytest.mark.django_db
def test_the_small_chart_under_the_probability_is_the_probability_trend(executive):
    html = executive.get("/demo/").content.decode()
    side = html[html.index('data-testid="ns-attainment"'):]
    side = side[:side.index("</section>")]
    assert 'data-testid="ns-probability-trend"' in side
    assert 'data-testid="ns-value-trend"' not in side
    assert "Probability over the last" in side
    assert 'data-testid="ns-value-trend"' in html  # the KGI's own values, labelled, elsewhere

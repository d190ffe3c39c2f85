"""First dashboard load: ≤ 300 KB of JS + CSS, all from our own host, no Chart.js."""
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

LIMIT = 300 * 1024


def _assets(html):
    return re.findall(r'<(?:script[^>]+src|link[^>]+rel="stylesheet"[^>]+href)="([^"]+)"', html)


@pytest.mark.django_db
def test_first_dashboard_load_is_under_300_kb_of_js_and_css(world, client):
    client.force_login(world.user("admin"))
    html = client.get("/acme/").content.decode()
    assets = _assets(html)
    assert assets and all(a.startswith(settings.STATIC_URL) for a in assets)  # no third party
    assert not any("chart" in a for a in assets)  # sparklines are SVG
    total = 0
    for url in assets:
        path = finders.find(url[len(settings.STATIC_URL):].split("?")[0])
        assert path, url
        with open(path, "rb") as fh:
            total += len(fh.read())
    assert total <= LIMIT, total


@pytest.mark.django_db
def test_kpi_page_loads_chartjs_from_our_host(world, client):
    client.force_login(world.user("viewer"))
    html = client.get(f"/acme/kpis/{world.extra['dash_kpi'].code}/").content.decode()
    assert any(a.endswith("vendor/chartjs/chart.umd.min.js") for a in _assets(html))

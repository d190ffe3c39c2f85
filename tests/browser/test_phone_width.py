"""At 390 px no page is wider than the phone: a long KPI name in a select (the KGI page) or the
review's numbers table stays inside its card (the table scrolls sideways there)."""
import pytest


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_kgi_and_review_pages_fit_a_phone(demo, login, live_server, lang):
    page = login("demo-admin")
    page.context.add_cookies([{"name": "kgi_language", "value": lang, "url": live_server.url}])
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/demo/kgi/", "/demo/teams/marketing/review/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path

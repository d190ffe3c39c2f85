"""/favicon.ico, which browsers request on their own, leads to the icon instead of a 404."""
import pytest
from django.contrib.staticfiles import finders

from teams.two_factor import PENDING_KEY


@pytest.mark.django_db
def test_favicon_ico_redirects_to_the_static_svg_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"
    assert "max-age=86400" in response["Cache-Control"]
    assert finders.find("favicon.svg")


@pytest.mark.django_db
def test_the_icon_it_leads_to_is_served_as_svg(live_server):
    import httpx

    response = httpx.get(live_server.url + "/favicon.ico", follow_redirects=True)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in response.content


@pytest.mark.django_db
def test_a_login_waiting_for_its_second_factor_still_gets_the_icon(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("aiko", password="x"))
    session = client.session
    session[PENDING_KEY] = True
    session.save()

    assert client.get("/accounts/profile/")["Location"].startswith("/accounts/2fa/verify/")
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"

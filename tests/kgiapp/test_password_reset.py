"""Password reset end to end through a real SMTP server: ask, read the mail, follow, log in."""
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

from tests.smtp_server import body_of, smtp_server  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice():
    return get_user_model().objects.create_user("alice", "alice@example.com", "old-Xq9!pass")


def _reset_link(message, site_url):
    match = re.search(re.escape(site_url) + r"(/accounts/reset/\S+/)", body_of(message))
    assert match, body_of(message)
    return match.group(1)


def test_reset_by_email_through_smtp_then_log_in_with_the_new_password(
        client, alice, smtp_server, settings):  # noqa: F811
    settings.SITE_URL = "https://kgi.example.jp"
    response = client.post(reverse("password_reset"), {"email": "alice@example.com"})
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert "受信箱" in client.get(response.url).content.decode()

    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "alice@example.com"
    assert "パスワード" in message["Subject"]
    path = _reset_link(message, "https://kgi.example.jp")

    # Django swaps the token for a session marker and redirects to the form.
    landing = client.get(path)
    assert landing.status_code == 302
    form_page = client.get(landing.url)
    assert "新しいパスワード" in form_page.content.decode()
    done = client.post(landing.url, {"new_password1": "new-Xq9!pass-2026",
                                     "new_password2": "new-Xq9!pass-2026"})
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")

    client.logout()
    login = client.post(reverse("login"), {"username": "alice", "password": "new-Xq9!pass-2026"})
    assert login.status_code == 302
    assert client.get(reverse("password_change")).status_code == 200
    assert not client.login(username="alice", password="old-Xq9!pass")

    # The link works once.
    client.logout()
    again = client.get(path)
    assert "無効" in again.content.decode()


def test_unknown_address_gets_the_same_answer_and_no_mail(client, smtp_server):  # noqa: F811
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert smtp_server.messages == []


def test_requests_are_rate_limited_per_address(client, alice, smtp_server):  # noqa: F811
    for _ in range(8):
        response = client.post(reverse("password_reset"), {"email": "alice@example.com"})
        assert response.status_code == 302
    assert len(smtp_server.messages) == 5


def test_login_page_links_to_the_reset(client):
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()


def test_create_company_without_password_prints_a_working_set_password_link(
        client, settings, capsys):
    from django.core.management import call_command

    settings.SITE_URL = "https://kgi.example.jp"
    call_command("create_company", "--slug", "acme", "--name", "Acme", "--admin-username",
                 "root", "--admin-email", "root@example.com")
    out = capsys.readouterr().out
    path = re.search(r"https://kgi\.example\.jp(/accounts/reset/\S+/)", out).group(1)
    landing = client.get(path)
    client.post(landing.url, {"new_password1": "new-Xq9!pass-2026",
                              "new_password2": "new-Xq9!pass-2026"})
    assert client.login(username="root", password="new-Xq9!pass-2026")

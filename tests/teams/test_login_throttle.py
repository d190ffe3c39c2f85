"""Login is throttled per account and per IP: after the limit, even the right password waits."""
import pytest

from tests.world import make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture
def alice(settings):
    settings.AXES_FAILURE_LIMIT = 5
    return make_user("alice")


def _attempt(client, username, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_the_right_password_after_too_many_wrong_ones_is_refused_with_a_clear_message(
        client, alice):
    client.cookies["kgi_language"] = "en"
    for _ in range(4):
        assert _attempt(client, "alice", "wrong").status_code == 200
    assert _attempt(client, "alice", "wrong").status_code == 429  # the fifth failure locks
    response = _attempt(client, "alice", "pw-alice")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    body = response.content.decode()
    assert "Too many failed logins" in body
    assert "Try again in 15 minutes" in body


def test_the_lockout_page_is_in_japanese_by_default(client, alice):
    for _ in range(5):
        _attempt(client, "alice", "wrong")
    body = _attempt(client, "alice", "pw-alice").content.decode()
    assert "15分後" in body and "Too many failed logins" not in body


def test_an_account_is_locked_whatever_the_address(client, alice):
    for i in range(5):
        _attempt(client, "alice", "wrong", ip=f"10.0.1.{i}")
    assert _attempt(client, "alice", "pw-alice", ip="10.0.2.1").status_code == 429


def test_an_address_is_locked_whatever_the_account(client, alice):
    make_user("bob")
    for i in range(5):
        _attempt(client, f"nobody{i}", "wrong", ip="10.0.3.3")
    assert _attempt(client, "bob", "pw-bob", ip="10.0.3.3").status_code == 429
    # Another address still logs bob in.
    response = _attempt(client, "bob", "pw-bob", ip="10.0.3.4")
    assert response.status_code == 302


def test_a_success_below_the_limit_clears_the_count(client, alice):
    for _ in range(4):
        _attempt(client, "alice", "wrong")
    assert _attempt(client, "alice", "pw-alice").status_code == 302
    client.logout()
    for _ in range(4):
        _attempt(client, "alice", "wrong")
    assert _attempt(client, "alice", "pw-alice").status_code == 302

"""A fresh install starts at /start/; afterwards SIGNUP_OPEN decides who may create a company."""
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from teams.models import Company, Membership, Role

pytestmark = pytest.mark.django_db

User = get_user_model()


def _post(client, *, account=True, slug="acme", name="Acme 株式会社", username="alice",
          timezone="Asia/Tokyo"):
    data = {"company-name": name, "company-slug": slug, "company-language": "ja",
            "company-timezone": timezone}
    if account:
        data.update({"account-username": username, "account-email": f"{username}@example.com",
                     "account-password1": "Xq9!long-pass", "account-password2": "Xq9!long-pass"})
    return client.post(reverse("start"), data)


def test_fresh_install_sends_the_first_visitor_to_start(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("start")
    page = client.get(reverse("start"))
    assert page.status_code == 200
    assert "インスタンス管理者" in page.content.decode()


def test_first_visitor_becomes_instance_admin_and_company_admin(client):
    response = _post(client)
    assert response.status_code == 302 and response.url == "/acme/"
    user = User.objects.get(username="alice")
    assert user.is_superuser and user.email == "alice@example.com"
    company = Company.objects.get(slug="acme")
    assert company.name == "Acme 株式会社" and company.language == "ja"
    assert Membership.objects.get(company=company).role == Role.ADMIN
    # Logged in: the dashboard answers.
    assert client.get("/acme/").status_code == 200


def test_after_the_first_company_signup_is_closed_by_default(client):
    _post(client)
    client.logout()
    page = client.get(reverse("start"))
    assert page.status_code == 403
    assert "招待" in page.content.decode()
    refused = _post(client, slug="globex", username="bob")
    assert refused.status_code == 403
    assert not Company.objects.filter(slug="globex").exists()
    assert not User.objects.filter(username="bob").exists()
    # A logged-in member of a company may not create another one either.
    client.force_login(User.objects.create_user("carol"))
    assert client.get(reverse("start")).status_code == 403


def test_open_signup_lets_anyone_create_a_company_but_not_become_instance_admin(
        client, settings):
    _post(client)
    client.logout()
    settings.SIGNUP_OPEN = True
    response = _post(client, slug="globex", name="Globex", username="bob")
    assert response.status_code == 302 and response.url == "/globex/"
    bob = User.objects.get(username="bob")
    assert not bob.is_superuser
    assert Membership.objects.get(company__slug="globex").user == bob
    assert not Membership.objects.filter(company__slug="acme", user=bob).exists()


def test_logged_in_instance_admin_creates_another_company_without_a_new_account(client):
    _post(client)
    response = _post(client, account=False, slug="second", name="Second")
    assert response.status_code == 302
    assert Membership.objects.get(company__slug="second").user.username == "alice"
    assert User.objects.count() == 1


@pytest.mark.parametrize("slug", ["start", "accounts", "Bad Slug", "acme"])
def test_bad_or_taken_url_names_are_refused_with_a_message_and_nothing_is_created(client, slug):
    if slug == "acme":
        _post(client)
    users, companies = User.objects.count(), Company.objects.count()
    response = _post(client, slug=slug, username="dave")
    assert response.status_code == 400
    assert response.context["company_form"].errors
    assert (User.objects.count(), Company.objects.count()) == (users, companies)


def test_unknown_time_zone_is_refused(client):
    response = _post(client, timezone="Mars/Olympus")
    assert response.status_code == 400
    assert not Company.objects.exists()


def test_create_company_command(monkeypatch, capsys):
    monkeypatch.setenv("KGI_ADMIN_PASSWORD", "Xq9!long-pass")
    call_command("create_company", "--slug", "acme", "--name", "Acme", "--admin-username",
                 "alice", "--admin-email", "alice@example.com", "--language", "en",
                 "--timezone", "Europe/Berlin", "--instance-admin")
    company = Company.objects.get(slug="acme")
    assert (company.language, company.timezone) == ("en", "Europe/Berlin")
    alice = User.objects.get(username="alice")
    assert alice.check_password("Xq9!long-pass") and alice.is_superuser
    assert Membership.objects.get(company=company, user=alice).role == Role.ADMIN


def test_create_company_command_without_password_leaves_it_unusable(monkeypatch):
    monkeypatch.delenv("KGI_ADMIN_PASSWORD", raising=False)
    call_command("create_company", "--slug", "acme", "--name", "Acme", "--admin-username",
                 "alice", "--admin-email", "alice@example.com")
    assert not User.objects.get(username="alice").has_usable_password()


@pytest.mark.parametrize("args", [
    ["--slug", "acme", "--timezone", "Nowhere/Land"],
    ["--slug", "start"],
    ["--slug", "acme", "--language", "xx"],
])
def test_create_company_command_refuses_bad_input_and_creates_nothing(args):
    base = ["--name", "Acme", "--admin-username", "alice", "--admin-email", "a@example.com"]
    with pytest.raises(CommandError):
        call_command("create_company", *base, *args)
    assert not Company.objects.exists() and not User.objects.exists()


def test_create_company_command_refuses_a_taken_slug():
    call_command("create_company", "--slug", "acme", "--name", "Acme", "--admin-username",
                 "alice", "--admin-email", "a@example.com")
    with pytest.raises(CommandError):
        call_command("create_company", "--slug", "acme", "--name", "Other", "--admin-username",
                     "bob", "--admin-email", "b@example.com")
    assert not User.objects.filter(username="bob").exists()

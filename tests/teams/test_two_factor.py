"""Optional two-factor sign-in for admins: enrol with the shown secret, then every login
asks for a code; codes are computed here from the secret, as an authenticator app does."""
import base64
import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from teams.models import Role

pytestmark = pytest.mark.django_db
PASSWORD = "Xq9!long-pass"


def code_for(secret_text, steps_ahead=0):
    """The six digits an authenticator app shows for this secret (``steps_ahead`` × 30 s
    later: a code is accepted once, so the login step uses the next one)."""
    key = base64.b32decode(secret_text.replace(" ", "") + "=" * (-len(secret_text.replace(
        " ", "")) % 8))
    totp = TOTP(key, step=30, t0=0, digits=6)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


@pytest.fixture
def admin(world):
    user = world.user(Role.ADMIN)
    user.set_password(PASSWORD)
    user.save()
    return user


def _enrol(client, admin):
    client.force_login(admin)
    page = client.get(reverse("two-factor"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="two-factor-qr"' in html and "data:image/svg+xml;base64," in html
    secret = re.search(r'data-testid="two-factor-secret">([A-Z2-7 ]+)<', html).group(1)
    wrong = client.post(reverse("two-factor"), {"code": "000000" if code_for(secret) != "000000"
                                                else "111111"})
    assert wrong.status_code == 400
    assert not TOTPDevice.objects.filter(user=admin, confirmed=True).exists()
    TOTPDevice.objects.filter(user=admin).update(throttling_failure_count=0,
                                                 throttling_failure_timestamp=None)
    first = code_for(secret)
    done = client.post(reverse("two-factor"), {"code": first})
    assert done.status_code == 302
    assert TOTPDevice.objects.filter(user=admin, confirmed=True).count() == 1
    return secret, first


def test_enrolled_admin_must_enter_a_code_after_the_password(client, admin, world):
    secret, _first = _enrol(client, admin)
    client.logout()
    dashboard = reverse("dashboard", args=[world.company.slug])
    login = client.post(reverse("login") + f"?next={dashboard}",
                        {"username": admin.username, "password": PASSWORD})
    assert login.status_code == 302
    # The password alone opens nothing: every page sends to the code step.
    blocked = client.get(dashboard)
    assert blocked.status_code == 302 and blocked["Location"].startswith(
        reverse("two-factor-verify"))
    assert client.get(reverse("company-settings", args=[world.company.slug])).status_code == 302
    page = client.get(blocked["Location"])
    assert page.status_code == 200 and 'data-testid="two-factor-verify"' in page.content.decode()

    refused = client.post(blocked["Location"], {"code": "12345x", "next": dashboard})
    assert refused.status_code == 400
    TOTPDevice.objects.filter(user=admin).update(throttling_failure_count=0,
                                                 throttling_failure_timestamp=None)
    ok = client.post(blocked["Location"], {"code": code_for(secret, 1), "next": dashboard})
    assert ok.status_code == 302 and ok["Location"] == dashboard
    assert client.get(dashboard).status_code == 200


def test_a_code_is_accepted_once(client, admin, world):
    secret, first = _enrol(client, admin)
    client.logout()
    client.post(reverse("login"), {"username": admin.username, "password": PASSWORD})
    verify = reverse("two-factor-verify")
    # Replaying the code used to enrol is refused; the next one is accepted.
    assert client.post(verify, {"code": first}).status_code == 400
    TOTPDevice.objects.filter(user=admin).update(throttling_failure_count=0,
                                                 throttling_failure_timestamp=None)
    assert client.post(verify, {"code": code_for(secret, 1)}).status_code == 302


def test_without_two_factor_a_login_is_not_held(client, admin, world):
    client.post(reverse("login"), {"username": admin.username, "password": PASSWORD})
    assert client.get(reverse("dashboard", args=[world.company.slug])).status_code == 200


def test_turning_it_off_needs_a_current_code(client, admin):
    secret, _first = _enrol(client, admin)
    assert client.post(reverse("two-factor"), {"code": "000000"}).status_code == 400
    assert TOTPDevice.objects.filter(user=admin, confirmed=True).exists()
    TOTPDevice.objects.filter(user=admin).update(throttling_failure_count=0,
                                                 throttling_failure_timestamp=None)
    off = client.post(reverse("two-factor"), {"code": code_for(secret, 1)})
    assert off.status_code == 302
    assert not TOTPDevice.objects.filter(user=admin).exists()


def test_it_is_offered_to_admins_only(client, world):
    viewer = world.user(Role.VIEWER)
    client.force_login(viewer)
    page = client.get(reverse("two-factor")).content.decode()
    assert 'data-testid="two-factor-qr"' not in page
    assert not TOTPDevice.objects.filter(user=viewer).exists()
    assert get_user_model().objects.filter(pk=viewer.pk, is_superuser=False).exists()

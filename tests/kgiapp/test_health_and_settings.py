"""Health check, production settings, formatting and the demo seed."""
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import translation

from core.formatting import format_jpy, format_man_yen, format_value


@pytest.mark.django_db
def test_healthz_is_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] is True


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] is False


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_fails(client, monkeypatch):
    def broken(*args, **kwargs):
        raise connection.OperationalError("down") if hasattr(connection, "OperationalError") \
            else RuntimeError("down")

    monkeypatch.setattr(connection, "cursor", broken)
    assert client.get("/healthz").status_code == 503


def test_production_settings_pass_check_deploy():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kgiapp.settings_production",
           "SECRET_KEY": "k" * 20 + "-production-like-secret-" + "z9" * 20,
           "ALLOWED_HOSTS": "kgi.example.com"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # a test-only switch, never in production
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True, text=True, env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_the_development_key():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kgiapp.settings_production"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run([sys.executable, "manage.py", "check"], capture_output=True,
                            text=True, env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("value,compact,language,expected", [
    (83_000_000, False, "ja", "¥83,000,000"),
    (83_000_000, True, "ja", "¥8,300万"),
    (83_000_000, True, "en", "¥83M"),
    (120_000_000, True, "ja", "¥1.2億"),
    (-5_000, False, "ja", "-¥5,000"),
])
def test_jpy_formats(value, compact, language, expected):
    with translation.override(language):
        assert format_jpy(value, compact=compact) == expected


def test_man_yen_and_units():
    assert format_man_yen(83_000_000) == "8,300万円"
    assert format_value(Decimal("2"), "percent") == "2.0 %"
    assert format_value(4, "hours") == "4 h"
    assert format_value(None, "JPY") == "—"
    assert format_value("not a number", "JPY") == "—"


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing():
    from django.core.management import call_command

    from metrics.models import Kpi, Measurement
    from teams.models import Membership, Team

    call_command("seed_demo", stdout=open(os.devnull, "w"))
    counts = (Team.objects.count(), Membership.objects.count(), Kpi.objects.count(),
              Measurement.objects.count())
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    again = (Team.objects.count(), Membership.objects.count(), Kpi.objects.count(),
             Measurement.objects.count())
    assert counts == again
    assert counts[0] == 3 and counts[2] > 21 and counts[3] > 1000
    names = set(Team.objects.values_list("name", flat=True))
    assert names == {"営業", "マーケティング", "カスタマーサクセス"}


@pytest.mark.django_db
def test_a_visitors_language_does_not_outlive_their_request(client, settings):
    from django.utils import translation

    translation.activate("ja")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/accounts/login/")
    assert response.headers["Content-Language"] == "en"
    assert translation.get_language() == "ja"

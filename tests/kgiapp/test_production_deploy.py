"""The README's production steps, run for real: collectstatic, then gunicorn with DEBUG=False.

Before the vendored Chart.js lost its sourceMappingURL comment, collectstatic aborted under
whitenoise's manifest storage and every page of the documented deploy answered 500.
"""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.celery_fixtures import PROJECT_ROOT, _test_database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SECRET = "k" * 20 + "-production-like-secret-" + "z9" * 20


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _production_env(static_root: Path) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kgiapp.settings_production",
           "SECRET_KEY": SECRET, "DEBUG": "False", "ALLOWED_HOSTS": "127.0.0.1",
           "STATIC_ROOT": str(static_root), "DATABASE_URL": _test_database_url()}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # a test-only switch, never in production
    return env


def _get(url: str) -> tuple[int, bytes]:
    # Behind the TLS proxy the settings expect: no redirect to https.
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=90) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def production_env(tmp_path):
    return _production_env(tmp_path / "static")


def test_collectstatic_then_gunicorn_serve_login_and_static_files(production_env):
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, env=production_env, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    port = _free_port()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    log = Path(production_env["STATIC_ROOT"]).parent / "gunicorn.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [str(gunicorn), "kgiapp.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--timeout", "60"],
            cwd=PROJECT_ROOT, env=production_env, stdout=log_file, stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = _get(f"{base}/accounts/login/")
                break
            except (ConnectionError, urllib.error.URLError):
                assert server.poll() is None, log.read_text(errors="replace")
                assert time.monotonic() < deadline, log.read_text(errors="replace")
                time.sleep(0.2)
        assert status == 200, body[:2000]
        manifest = json.loads(
            (Path(production_env["STATIC_ROOT"]) / "staticfiles.json").read_text())["paths"]
        hashed_css = manifest["css/app.css"]
        # The page links the hashed name, and whitenoise serves it.
        assert f"/static/{hashed_css}".encode() in body
        status, css = _get(f"{base}/static/{hashed_css}")
        assert status == 200 and css
        status, _ = _get(f"{base}/static/{manifest['vendor/chartjs/chart.umd.min.js']}")
        assert status == 200
    finally:
        server.terminate()
        server.wait(timeout=20)

"""Signed webhooks, the sources API and the sources page (issue 21)."""
import json
import time
from datetime import date

import pytest
from django.conf import settings as django_settings
from django.test import Client

from metrics.models import Measurement
from metrics.sources.models import DataSource, SourceRun
from metrics.sources.secrets import signature
from metrics.sources.services import source_create
from teams.services import api_token_create
from tests.metrics.factories import KpiFactory

pytestmark = pytest.mark.django_db
BODY = json.dumps([{"kpi": "revenue", "period": "2026-01-05", "value": 100}]).encode()


@pytest.fixture
def revenue(world, settings):
    settings.SOURCES_ALLOWED_HOSTS = ["127.0.0.1"]
    return KpiFactory(company=world.company, code="revenue", name_en="Revenue", name_ja="売上",
                      team=world.team, cadence="weekly")


@pytest.fixture
def hook(world, revenue):
    source, secret = source_create(company=world.company, owner=world.user("admin"),
                                   name="CRM push", kind="webhook")
    return source, secret


def post(client, source, secret, body=BODY, ts=None, sign_with=None):
    ts = str(int(time.time()) if ts is None else ts)
    return client.post(f"/hooks/acme/{source.pk}", data=body, content_type="application/json",
                       headers={"X-Kgi-Timestamp": ts,
                                "X-Kgi-Signature": signature(sign_with or secret, ts, body)})


def test_a_signed_post_lands_and_the_same_post_again_is_refused(hook, revenue):
    client = Client(enforce_csrf_checks=True)  # a sender has no CSRF token
    source, secret = hook
    response = post(client, source, secret)
    assert response.status_code == 200, response.content
    assert response.json()["new"] == 1
    assert Measurement.objects.get(kpi=revenue).value == 100
    again = client.post(f"/hooks/acme/{source.pk}", data=BODY, content_type="application/json",
                        headers={"X-Kgi-Timestamp": response.request["HTTP_X_KGI_TIMESTAMP"],
                                 "X-Kgi-Signature": response.request["HTTP_X_KGI_SIGNATURE"]})
    assert again.status_code == 409
    assert SourceRun.objects.filter(source=source).count() == 1


def test_a_bad_signature_is_refused_and_writes_nothing(client, hook, revenue):
    source, _secret = hook
    response = post(client, source, "whsec_not-the-secret")
    assert response.status_code == 403 and response.json()["error"] == "bad_signature"
    assert not Measurement.objects.filter(kpi=revenue).exists()
    unsigned = client.post(f"/hooks/acme/{source.pk}", data=BODY, content_type="application/json")
    assert unsigned.status_code == 403


def test_a_replay_older_than_five_minutes_is_refused(client, hook, revenue):
    source, secret = hook
    response = post(client, source, secret, ts=int(time.time()) - 301)
    assert response.status_code == 403 and response.json()["error"] == "replay"
    assert not Measurement.objects.filter(kpi=revenue).exists()


def test_a_bad_body_or_an_unknown_kpi_writes_nothing_and_says_why(client, hook, revenue):
    source, secret = hook
    assert post(client, source, secret, body=b"{not json").status_code == 400
    body = json.dumps([{"kpi": "revenue", "period": "2026-01-05", "value": 1},
                       {"kpi": "nope", "period": "2026-01-05", "value": 2}]).encode()
    response = post(client, source, secret, body=body)
    assert response.status_code == 422
    assert response.json()["unmapped"] == ["nope"]
    assert not Measurement.objects.filter(kpi=revenue).exists()


def test_the_webhook_of_another_company_is_not_found(client, hook, world):
    source, secret = hook
    ts = str(int(time.time()))
    response = client.post(f"/hooks/globex/{source.pk}", data=BODY,
                           content_type="application/json",
                           headers={"X-Kgi-Timestamp": ts,
                                    "X-Kgi-Signature": signature(secret, ts, BODY)})
    assert response.status_code == 404


def api(client, world, role="admin"):
    _token, raw = api_token_create(company=world.company, user=world.user(role), name="t")
    return {"Authorization": f"Bearer {raw}"}


def test_api_creates_runs_and_shows_a_url_source(client, world, revenue, http_server,
                                                 celery_eager,
                                                 django_capture_on_commit_callbacks):
    http_server.files["/s.csv"] = (200, {}, b"kpi,period,value\r\nrevenue,2026-01-05,7\r\n")
    headers = api(client, world)
    created = client.post("/api/v1/acme/sources", content_type="application/json",
                          headers=headers, data={"name": "Sheet 2", "kind": "url",
                                                 "url": http_server.base + "/s.csv",
                                                 "schedule": "hourly"})
    assert created.status_code == 201, created.content
    source_id = created.json()["id"]
    assert created.json()["secret"] is None
    with django_capture_on_commit_callbacks(execute=True) as queued:
        ran = client.post(f"/api/v1/acme/sources/{source_id}/run", headers=headers)
    # The test's transaction never commits, so the task ran after the answer: "running".
    assert ran.status_code == 202 and ran.json()["status"] == "running"
    assert len(queued) == 1
    assert Measurement.objects.get(kpi=revenue, period_start=date(2026, 1, 5)).value == 7
    detail = client.get(f"/api/v1/acme/sources/{source_id}", headers=headers).json()
    assert detail["last_run"]["status"] == "done" and detail["schedule"] == "hourly"
    listed = client.get("/api/v1/acme/sources", headers=headers).json()
    assert source_id in [s["id"] for s in listed]


def test_api_webhook_secret_is_shown_once_and_a_dsn_never(client, world, revenue):
    headers = api(client, world)
    hook = client.post("/api/v1/acme/sources", content_type="application/json",
                       headers=headers, data={"name": "Push", "kind": "webhook"}).json()
    assert hook["secret"].startswith("whsec_")
    sql = client.post("/api/v1/acme/sources", content_type="application/json", headers=headers,
                      data={"name": "WH", "kind": "sql", "query": "SELECT 1",
                            "dsn": "postgres://u:hunter2@db.example.com/x"})
    assert sql.status_code == 201
    for url in ("/api/v1/acme/sources", f"/api/v1/acme/sources/{hook['id']}",
                f"/api/v1/acme/sources/{sql.json()['id']}"):
        text = client.get(url, headers=headers).content.decode()
        assert hook["secret"] not in text and "hunter2" not in text


def test_api_refuses_bad_input_and_members(client, world, revenue):
    bad = client.post("/api/v1/acme/sources", content_type="application/json",
                      headers=api(client, world), data={"name": "", "kind": "url", "url": "ftp://x"})
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"name", "url"}
    for url in ("http://[bad/x", "http://example.com:99999/x", "https:///nohost"):
        bad = client.post("/api/v1/acme/sources", content_type="application/json",
                          headers=api(client, world), data={"name": "S", "kind": "url", "url": url})
        assert bad.status_code == 422 and set(bad.json()["errors"]) == {"url"}, url
    member = client.get("/api/v1/acme/sources", headers=api(client, world, "member"))
    assert member.status_code == 403


def test_the_page_adds_a_source_runs_it_and_shows_the_status(
        client, world, revenue, http_server, celery_eager, django_capture_on_commit_callbacks):
    http_server.files["/s.csv"] = (200, {}, b"period,revenue\r\n2026-01-05,9\r\n")
    client.force_login(world.user("manager"))
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post("/acme/sources/", {"name": "Team sheet", "kind": "url",
                                               "url": http_server.base + "/s.csv",
                                               "schedule": "manual", "mapping": ""})
    assert response.status_code == 302
    source = DataSource.objects.get(company=world.company, name="Team sheet")
    assert source.owner == world.user("manager")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/acme/sources/{source.pk}/run/").status_code == 302
    page = client.get("/acme/sources/").content.decode()
    assert "Team sheet" in page and "1 new, 0 changed, 0 unchanged" in page
    assert Measurement.objects.get(kpi=revenue).value == 9


def test_the_page_shows_a_webhook_secret_once_and_explains_a_bad_mapping(client, world, revenue):
    client.force_login(world.user("admin"))
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.post("/acme/sources/", {"name": "Push", "kind": "webhook",
                                           "schedule": "manual"}).content.decode()
    assert "data-secret" in page and "whsec_" in page
    assert "whsec_" not in client.get("/acme/sources/").content.decode()
    bad = client.post("/acme/sources/", {"name": "X", "kind": "url", "schedule": "manual",
                                         "url": "https://example.com/a.csv", "mapping": "[1]"})
    assert bad.status_code == 200 and "The mapping must be names and KPI codes" in \
        bad.content.decode()

"""The API schema tells the truth: every answer an operation really gives to a missing token,
an unknown object, an unreadable or invalid body is declared in /api/v1/openapi.json; the
parameters the server checks against a set say so (enum); the docs page loads nothing from
another host and is for signed-in people unless API_DOCS_PUBLIC."""
import re

import pytest
from django.urls import reverse

from kgiapp.api import api
from teams.services import api_token_create

pytestmark = pytest.mark.django_db


def _schema(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def _url(path, operation, company="acme"):
    url = path.replace("{company}", company)
    for param in operation.get("parameters", []):
        if param["in"] == "path" and param["name"] != "company":
            missing = "999999" if param["schema"].get("type") == "integer" else "no-such-thing"
            url = url.replace("{" + param["name"] + "}", missing)
    return url


def _declared(operation, status):
    return str(status) in operation["responses"]


@pytest.fixture
def token(world):
    _token, raw = api_token_create(company=world.company, user=world.user("admin"), name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _call(client, method, url, headers, body=None):
    kwargs = dict(headers)
    if body is not None:
        kwargs.update(data=body, content_type="application/json")
    return getattr(client, method)(url, **kwargs)


def test_every_answer_to_a_bad_request_is_declared(client, world, token):
    schema = _schema(client)
    checked = 0
    for path, method, operation in _operations(schema):
        url = _url(path, operation)
        body = "{}" if "requestBody" in operation else None
        # No token, and a token of another company: 401.
        answer = _call(client, method, url, {}, body)
        assert answer.status_code == 401 and _declared(operation, 401), (method, path)
        answer = _call(client, method, _url(path, operation, "globex"), token, body)
        assert answer.status_code == 401, (method, path)
        # An object the company does not have: declared (404, or 422 for a bad id).
        answer = _call(client, method, url, token, body)
        assert _declared(operation, answer.status_code), (method, path, answer.status_code)
        if "requestBody" in operation:
            answer = _call(client, method, url, token, "{not json")
            assert _declared(operation, answer.status_code), (method, path, answer.status_code)
        # A NUL in the URL is refused before any view (core.middleware).
        answer = _call(client, method, url + "%00", token, body)
        assert answer.status_code == 400 and _declared(operation, 400), (method, path)
        checked += 1
    assert checked == len(list(_operations(schema))) >= 20


def test_unreadable_and_invalid_bodies_and_unknown_objects_give_their_declared_answers(
        client, world, token):
    schema = _schema(client)
    post = schema["paths"]["/api/v1/{company}/measurements"]["post"]
    url = "/api/v1/acme/measurements"
    assert _call(client, "post", url, token, "{not json").status_code == 400
    answer = _call(client, "post", url, token, '{"items": "many"}')
    assert answer.status_code == 422 and isinstance(answer.json()["detail"], list)
    assert _declared(post, 400) and _declared(post, 422)
    get = schema["paths"]["/api/v1/{company}/kpis/{code}/measurements"]["get"]
    assert client.get("/api/v1/acme/kpis/nope/measurements", **token).status_code == 404
    assert _declared(get, 404)
    # Every declared error points at a schema that exists.
    names = set(schema["components"]["schemas"])
    for _path, _method, operation in _operations(schema):
        for status, response in operation["responses"].items():
            text = str(response.get("content", {}))
            for ref in re.findall(r"#/components/schemas/(\w+)", text):
                assert ref in names, (status, ref)


@pytest.mark.parametrize("path,method,where,name,values,bad", [
    ("/api/v1/{company}/tasks", "get", "query", "status", ["open", "done", "dropped", "all"],
     "?status=closed"),
    ("/api/v1/{company}/kpis/{code}/targets", "get", "query", "grain",
     ["day", "week", "month", "quarter"], "?grain=fortnight"),
])
def test_checked_query_parameters_are_enums(client, world, token, path, method, where, name,
                                            values, bad):
    operation = _schema(client)["paths"][path][method]
    param = next(p for p in operation["parameters"] if p["name"] == name)
    schema = param["schema"]
    enum = schema.get("enum") or next(s["enum"] for s in schema["anyOf"] if "enum" in s)
    assert enum == values
    from tests.metrics.factories import KpiFactory

    KpiFactory(company=world.company, code="rev", team=world.team)
    url = path.replace("{company}", "acme").replace("{code}", "rev") + bad
    answer = _call(client, method, url, token)
    assert answer.status_code == 422 and _declared(operation, 422)


def test_checked_body_fields_are_enums(client):
    components = _schema(client)["components"]["schemas"]
    assert components["SourceIn"]["properties"]["kind"]["enum"] == ["url", "sql", "webhook"]
    assert "manual" in components["SourceIn"]["properties"]["schedule"]["enum"]
    assert components["TargetIn"]["properties"]["kind"]["enum"] == ["month", "quarter"]
    assert set(components["FocusIn"]["properties"]["state"]["enum"]) == {"active",
                                                                         "monitoring"}


def test_the_docs_are_for_signed_in_people_and_load_nothing_from_another_host(
        client, world, settings):
    docs = reverse("api:openapi-view")
    anonymous = client.get(docs)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client.force_login(world.user("viewer"))
    page = client.get(docs)
    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in s for s in sources)
    assert sources and all(s.startswith(settings.STATIC_URL) for s in sources), sources
    assert "cdn." not in html and "https://" not in html
    assert "<script>" not in html  # the strict CSP allows no inline script
    client.logout()
    settings.API_DOCS_PUBLIC = True
    assert client.get(docs).status_code == 200


def test_the_schema_stays_public_for_clients_and_generators(client):
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert api.get_openapi_schema()["paths"]

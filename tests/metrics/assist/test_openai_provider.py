"""The OpenAI-compatible provider against a real HTTP server on 127.0.0.1, through the page.

Every failure must give a clear sentence and leave the KPIs untouched.
"""
import json
import time

import pytest
from django.urls import reverse

from metrics.models import Kpi
from tests.assist_server import assist_server, chat_answer, json_answer  # noqa: F401 (fixture)

GOOD_DRAFT = {
    "root_formula": "orders * aov",
    "kpis": [
        {"code": "orders", "name_ja": "注文数", "name_en": "Orders", "unit": "count",
         "direction": "higher", "kind": "leading", "phase": "conversion", "cadence": "weekly",
         "formula": "sessions * cvr"},
        {"code": "sessions", "name_ja": "セッション数", "name_en": "Sessions", "unit": "count",
         "direction": "higher", "kind": "leading", "phase": "acquisition", "cadence": "weekly",
         "formula": ""},
        {"code": "cvr", "name_ja": "購入率", "name_en": "Conversion rate", "unit": "percent",
         "direction": "higher", "kind": "leading", "phase": "conversion", "cadence": "weekly",
         "formula": ""},
        {"code": "aov", "name_ja": "客単価", "name_en": "Average order value", "unit": "JPY",
         "direction": "higher", "kind": "lagging", "phase": "revenue", "cadence": "monthly",
         "formula": ""},
    ],
}


@pytest.fixture
def chat_server(assist_server):  # noqa: F811 (the fixture imported above)
    """The suite's chat-completions server (tests/assist_server.py), answering a good draft."""
    assist_server.reply = lambda body: json_answer(GOOD_DRAFT)
    return assist_server


@pytest.fixture
def admin_page(client, world, make_goal):
    make_goal("Online shop revenue ¥100M", "So the shop pays for itself next year.")
    client.force_login(world.user("admin"))
    client.cookies["kgi_language"] = "en"

    def propose(**extra):
        return client.post(reverse("tree-assist", args=[world.company.slug]),
                           {"provider": "openai", **extra})

    return propose


@pytest.mark.django_db
def test_a_good_answer_is_shown_for_review_and_nothing_is_saved_yet(chat_server, admin_page,
                                                                    world):
    before = Kpi.objects.filter(company=world.company).count()
    response = admin_page()
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="draft"' in page and "tiny-model" in page
    for code in ("orders", "sessions", "world_cvr", "aov"):  # cvr: the world's own, reused
        assert f'data-code="{code}"' in page
    assert Kpi.objects.filter(company=world.company).count() == before
    sent = chat_server.calls[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["headers"]["Authorization"] == "Bearer sk-test"
    assert sent["body"]["model"] == "tiny-model"
    assert sent["body"]["response_format"] == {"type": "json_object"}
    assert "Online shop revenue" in sent["body"]["messages"][1]["content"]


BAD_ANSWERS = {
    "http_500": (dict(answer=(500, {"error": "boom"})), "HTTP 500"),
    "not_json": (dict(answer=(200, chat_answer("Sure! Here is your tree: revenue = a * b"))),
                 "not the JSON draft"),
    "not_chat_shape": (dict(answer=(200, "<html>proxy error</html>")), "not the JSON draft"),
    "refused_formula": (dict(answer=(200, chat_answer(json.dumps(
        {**GOOD_DRAFT, "root_formula": "__import__('os').system('id')"})))),
        "function call is not allowed"),
    "unknown_code": (dict(answer=(200, chat_answer(json.dumps(
        {**GOOD_DRAFT, "root_formula": "orders * price"})))), "“price”"),
    "cycle": (dict(answer=(200, chat_answer(json.dumps(
        {**GOOD_DRAFT, "kpis": [{**GOOD_DRAFT["kpis"][0]},
                                {**GOOD_DRAFT["kpis"][1], "formula": "orders / cvr"},
                                *GOOD_DRAFT["kpis"][2:]]})))), "loop"),
    "bad_choice": (dict(answer=(200, chat_answer(json.dumps(
        {**GOOD_DRAFT, "kpis": [{**GOOD_DRAFT["kpis"][0], "unit": "bananas"}]})))), "bananas"),
    "extra_field": (dict(answer=(200, chat_answer(json.dumps(
        {**GOOD_DRAFT, "comment": "hi"})))), "comment"),
    "timeout": (dict(delay=1.5), "did not answer within 0.3 seconds"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(BAD_ANSWERS))
def test_each_failure_is_a_clear_message_and_nothing_is_saved(chat_server, admin_page, world,
                                                              settings, case):
    behaviour, expected = BAD_ANSWERS[case]
    for key, value in behaviour.items():
        if key == "answer":  # the same (status, payload) whatever was asked
            key, value = "reply", (lambda body, answer=value: answer)
        setattr(chat_server, key, value)
    if case == "timeout":
        settings.ASSIST_TIMEOUT = 0.3
    before = list(Kpi.objects.filter(company=world.company).values_list("code", "formula"))
    started = time.monotonic()
    response = admin_page()
    elapsed = time.monotonic() - started
    page = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in page and expected in page, page
    assert "Nothing was saved" in page or "nothing was saved" in page
    assert 'id="draft"' not in page  # no accept button for a bad answer
    assert list(Kpi.objects.filter(company=world.company).values_list("code", "formula")) == before
    if case == "timeout":
        assert elapsed < 1.4  # the page gave up; it did not wait for the slow server


@pytest.mark.django_db
def test_a_refused_connection_is_a_clear_message(settings, admin_page, world):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.ASSIST_BASE_URL = f"http://127.0.0.1:{port}/v1"
    settings.ASSIST_MODEL = "tiny-model"
    before = Kpi.objects.filter(company=world.company).count()
    page = admin_page().content.decode()
    assert "could not be reached" in page and "ConnectError" in page
    assert Kpi.objects.filter(company=world.company).count() == before


@pytest.mark.django_db
def test_the_built_in_provider_stays_available_when_an_external_one_is_set(chat_server,
                                                                           admin_page):
    page = admin_page(provider="builtin").content.decode()
    assert 'id="no-match"' in page  # "Online shop" is none of the templates' words
    assert chat_server.requests == []

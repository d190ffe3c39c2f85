"""The weekly review's draft summary and the monthly narrative by a configured model."""
from datetime import date

import pytest
from django.urls import reverse

from reviews.models import Reforecast
from reviews.reforecast.narrative_assist import narrative
from reviews.services import review_open_for_week
from tests import assist_server as chat_server
from tests.assist_server import chat_answer, json_answer, system_prompt, user_data

assist_server = chat_server.assist_server  # the fixture


def _review_page(client, world):
    review = review_open_for_week(team=world.team)
    url = reverse("review-detail", args=[world.company.slug, world.team.slug, review.week_label])
    return review, client.get(url).content.decode()


@pytest.mark.django_db
def test_the_draft_summary_comes_from_the_model_in_the_company_language(client, world,
                                                                         assist_server):
    assist_server.reply = lambda body: json_answer({"summary": "今週は大きな変化なし（モデル）"})
    client.force_login(world.user("manager"))
    client.cookies["kgi_language"] = "en"
    review, page = _review_page(client, world)
    assert "今週は大きな変化なし（モデル）" in page and "Drafted by tiny-model" in page
    body = assist_server.requests[-1]
    assert "Japanese" in system_prompt(body)
    assert user_data(body)["team"] == world.team.name


@pytest.mark.django_db
@pytest.mark.parametrize("reply,delay", [
    (lambda body: json_answer({"summary": "遅すぎる答え"}), 1.6),
    (lambda body: (200, chat_answer("not json")), 0),
    (lambda body: (200, chat_answer(None, refusal="no")), 0),
    (lambda body: json_answer({"summary": "x", "extra": 1}), 0),
], ids=["slow", "malformed", "refusing", "schema"])
def test_a_failing_model_leaves_the_built_in_draft(client, world, assist_server, reply, delay):
    assist_server.reply, assist_server.delay = reply, delay
    client.force_login(world.user("manager"))
    client.cookies["kgi_language"] = "en"
    _review, page = _review_page(client, world)
    assert "遅すぎる答え" not in page and "Drafted by the built-in method" in page
    assert assist_server.requests


@pytest.mark.django_db
def test_the_monthly_narrative_is_asked_in_the_company_language(world, assist_server):
    world.company.language = "en"
    world.company.save(update_fields=["language"])
    row = Reforecast(company=world.company, month=date(2026, 11, 1), probability=0.42,
                     fingerprint="abc", payload={"kgi": {"name": "Revenue ¥1B"}, "leaves": {
                         "cvr": {"name_ja": "購入率", "name_en": "Conversion"}},
                         "changes": {"previous": 0.5, "steps": [
                             {"code": "cvr", "delta_pp": -8.0}]}})
    assist_server.reply = lambda body: json_answer({"narrative": "Conversion fell; push it."})
    text, by = narrative(row=row, headline="42 % chance", language=world.company.language)
    assert (text, by) == ("Conversion fell; push it.", "tiny-model")
    body = assist_server.requests[0]
    assert "English" in system_prompt(body)
    assert user_data(body)["steps_pp"] == [{"kpi": "購入率", "delta_pp": -8.0}]
    assist_server.reply = lambda body: (200, chat_answer("```json\n{}\n```"))
    row.fingerprint = "def"  # a new prompt, not the cached answer
    assert narrative(row=row, headline="42 % chance", language="en") == ("", "")

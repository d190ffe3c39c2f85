"""Theme labels by a configured model, against a real local chat-completions server."""
import pytest
from django.urls import reverse

from customers.models import VoiceComment
from teams.models import Team
from tests import assist_server as chat_server
from tests.assist_server import chat_answer, json_answer, system_prompt, user_data
from tests.customers.voice_corpus import labelled

assist_server = chat_server.assist_server  # the fixture


def _seed(world):
    rows = [VoiceComment(company=world.company, team=world.team, source="lost_reason", text=t)
            for _, t in labelled()]
    other_team = Team.objects.create(company=world.other, name="Other", slug="other-cs")
    rows.append(VoiceComment(company=world.other, team=other_team, source="note",
                             text="他社の秘密のコメント：料金"))
    VoiceComment.objects.bulk_create(rows)


def _labels(body):
    themes = user_data(body)["themes"]
    return json_answer({"themes": [{"index": t["index"], "label": f"モデル命名{t['index']}",
                                    "summary": "顧客は改善を求めています。"} for t in themes]})


def _page(client, world):
    url = reverse("cs-voice", args=[world.company.slug, world.team.slug])
    return client.get(url).content.decode()


@pytest.mark.django_db
def test_a_good_model_answer_labels_the_themes_in_the_company_language(
        client, world, assist_server):
    _seed(world)
    assist_server.reply = _labels
    client.force_login(world.user("viewer"))
    client.cookies["kgi_language"] = "en"  # the reader's language is not the answer's
    page = _page(client, world)
    assert "モデル命名0" in page and "顧客は改善を求めています。" in page
    assert "Labels drafted by tiny-model" in page
    body = assist_server.requests[0]
    assert "Japanese" in system_prompt(body)  # the company's language
    sent = body["messages"][1]["content"]
    assert "他社の秘密" not in sent  # never another company's data
    assert len(sent) <= 12_000


BAD = {
    "slow": (lambda body: _labels(body), 1.6),
    "malformed": (lambda body: (200, chat_answer("Here are some nice labels!")), 0),
    "refusing": (lambda body: (200, chat_answer(None, refusal="I can't help with that.")), 0),
    "schema": (lambda body: json_answer({"themes": [{"index": 0, "label": "長" * 41}]}), 0),
    "http_500": (lambda body: (500, {"error": "boom"}), 0),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(BAD))
def test_any_model_failure_keeps_the_offline_labels(client, world, assist_server, case):
    _seed(world)
    assist_server.reply, assist_server.delay = BAD[case]
    client.force_login(world.user("viewer"))
    page = _page(client, world)
    assert assist_server.requests  # it was asked …
    assert "モデル命名" not in page and "voc-theme" in page  # … and the offline themes stay
    assert "作成：内蔵の方法（オフライン）" in page

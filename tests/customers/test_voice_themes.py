"""Voice of the customer: themes from the texts themselves, tied to the company's own KPIs."""
import json
from collections import Counter
from datetime import date

import pytest
from django.urls import reverse

from customers.models import VoiceComment
from customers.voice import themes_for
from engine.voice_themes import VoiceText, find_themes, sentiment
from metrics.models import Kpi
from teams.services import api_token_create
from tests.customers.voice_corpus import TOPICS, labelled


def test_themes_recover_the_four_topics_of_64_japanese_comments():
    rows = labelled()
    assert len(rows) >= 60
    themes = find_themes([VoiceText(text) for _, text in rows])
    assert 4 <= len(themes) <= 8
    majority = set()
    for theme in themes:
        topics = Counter(rows[i][0] for i in theme.members)
        topic, n = topics.most_common(1)[0]
        assert n / theme.count >= 0.8, (theme.label, topics)
        majority.add(topic)
        assert len(theme.examples) == 3 and theme.label
    assert majority == set(TOPICS)  # every topic leads a theme of its own
    assert sum(t.count for t in themes) == len(rows)
    # The same input gives the same themes (fixed random state).
    again = find_themes([VoiceText(text) for _, text in rows])
    assert [t.members for t in again] == [t.members for t in themes]


def test_theme_trend_sources_and_sentiment():
    texts = [VoiceText(text, "lost_reason" if i % 2 else "nps",
                       date(2026, 9 + i % 3, 1)) for i, (_, text) in enumerate(labelled())]
    themes = find_themes(texts)
    bugs = next(t for t in themes if "不具合" in t.terms or "エラー" in t.terms)
    assert bugs.tone == "negative"
    assert [m for m, _n in bugs.trend] == sorted(m for m, _n in bugs.trend)
    assert sum(n for _m, n in bugs.trend) == bugs.count
    assert set(bugs.sources) <= {"nps", "lost_reason"}
    assert sentiment("サポートがとても親切で助かりました") == 1
    assert sentiment("画面が重くてエラーが出る") == -1
    assert sentiment("不満はない") == 1 or sentiment("不満はない") == 0  # negation flips


def test_no_words_no_themes_and_tiny_inputs_make_one_theme():
    assert find_themes([VoiceText("。。。"), VoiceText("123")]) == []
    one = find_themes([VoiceText("料金が高い"), VoiceText("料金を下げてほしい")])
    assert len(one) == 1 and one[0].members == [0, 1]


@pytest.mark.django_db
def test_themes_map_to_existing_kpis_or_offer_a_prefilled_create_button(world, client):
    company = world.company
    Kpi.objects.create(company=company, code="first_response_hours", name_ja="初回応答時間",
                       name_en="First response time", unit="hours",
                       definition="問い合わせから初回返信まで")
    Kpi.objects.create(company=company, code="onboarding_completion",
                       name_ja="オンボーディング完了率", name_en="Onboarding completion",
                       unit="percent", definition="契約後30日以内の初期設定完了")
    Kpi.objects.create(company=world.other, code="price_complaints", name_ja="価格への不満",
                       name_en="Price complaints", unit="count", definition="料金 価格 高い")
    themes = themes_for(company, [VoiceText(text) for _, text in labelled()])
    codes = set(Kpi.objects.filter(company=company).values_list("code", flat=True))
    by_topic = {}
    for theme in themes:
        # A suggested KPI is always one of this company's, never another company's.
        assert theme.kpi is None or theme.kpi.code in codes
        assert (theme.kpi is None) == bool(theme.create_url)
        by_topic.setdefault(Counter(theme.cluster.terms).most_common(1)[0][0], theme)
    support = next(t for t in themes if "サポート" in t.cluster.terms)
    onboarding = next(t for t in themes if "導入" in t.cluster.terms)
    price = next(t for t in themes if "料金" in t.cluster.terms)
    assert support.kpi.code == "first_response_hours"
    assert onboarding.kpi.code == "onboarding_completion"
    assert price.kpi is None and "price_complaints" not in price.create_url
    # The create button opens the KPI form prefilled with the theme.
    client.force_login(world.user("admin"))
    page = client.get(price.create_url).content.decode()
    assert 'value="voc_theme_' in page and "料金" in page


@pytest.mark.django_db
def test_voice_page_shows_themes_and_lost_reasons_are_their_own_input(world, client):
    client.force_login(world.user("member"))
    url = reverse("cs-voice-add", args=[world.company.slug, world.team.slug])
    lines = "\n".join(text for topic, text in labelled() if topic in ("price", "bugs"))
    response = client.post(url, {"source": "lost_reason", "lines": lines})
    assert response.status_code == 302
    assert VoiceComment.objects.filter(team=world.team, source="lost_reason").count() == 32
    page_url = reverse("cs-voice", args=[world.company.slug, world.team.slug])
    page = client.get(page_url + "?source=lost_reason").content.decode()
    assert "voc-theme" in page and "料金" in page and "不具合" in page
    assert "Create a KPI from this theme" not in page  # members may not create KPIs
    admin = client
    admin.force_login(world.user("admin"))
    assert "/kpis/new/?" in admin.get(page_url).content.decode()


@pytest.mark.django_db
def test_a_bad_row_adds_nothing_and_names_row_and_column(world, client):
    client.force_login(world.user("member"))
    client.cookies["kgi_language"] = "en"
    url = reverse("cs-voice-add", args=[world.company.slug, world.team.slug])
    response = client.post(url, {"source": "lost_reason",
                                 "lines": "2026-11-04\t価格が合わず失注\nsoon\t返信が遅い"},
                           follow=True)
    page = response.content.decode()
    assert "Row 2" in page and "date" in page
    assert not VoiceComment.objects.filter(team=world.team).exists()


@pytest.mark.django_db
def test_the_api_answers_themes_with_member_indexes(world, client):
    _token, raw = api_token_create(company=world.company, user=world.user("viewer"), name="v")
    headers = {"Authorization": f"Bearer {raw}"}
    rows = labelled()
    response = client.post(f"/api/v1/{world.company.slug}/voice/themes",
                           data=json.dumps({"texts": [t for _, t in rows]}),
                           content_type="application/json", headers=headers)
    assert response.status_code == 200
    themes = response.json()["themes"]
    members = sorted(i for t in themes for i in t["members"])
    assert members == list(range(len(rows)))
    for theme in themes:
        assert set(theme) >= {"label", "count", "examples", "members", "kpi"}
        assert theme["count"] == len(theme["members"])
        assert theme["kpi"] is None and theme["create_kpi_url"].startswith(
            f"/{world.company.slug}/kpis/new/?")
    too_long = client.post(f"/api/v1/{world.company.slug}/voice/themes",
                           data=json.dumps({"texts": ["あ" * 2001]}),
                           content_type="application/json", headers=headers)
    assert too_long.status_code == 400
    # Storing comments needs contribute; the viewer may not.
    denied = client.post(f"/api/v1/{world.company.slug}/voice/comments",
                         data=json.dumps({"team": world.team.slug, "source": "lost_reason",
                                          "texts": ["価格"]}),
                         content_type="application/json", headers=headers)
    assert denied.status_code == 403
    _token, raw = api_token_create(company=world.company, user=world.user("member"), name="m")
    stored = client.post(f"/api/v1/{world.company.slug}/voice/comments",
                         data=json.dumps({"team": world.team.slug, "source": "lost_reason",
                                          "texts": ["価格が合わない", "導入が大変"],
                                          "dates": ["2026-10-01", "2026-11-02"]}),
                         content_type="application/json",
                         headers={"Authorization": f"Bearer {raw}"})
    assert stored.status_code == 201 and stored.json() == {"added": 2}
    assert set(VoiceComment.objects.filter(team=world.team).values_list("said_on", flat=True)) \
        == {date(2026, 10, 1), date(2026, 11, 2)}


def test_a_text_repeated_on_many_customers_counts_but_does_not_draw_the_topics():
    rows = labelled() + [("support", "サポートの回答が遅く不満。")] * 40
    themes = find_themes([VoiceText(text) for _, text in rows])
    for theme in themes:
        topic, n = Counter(rows[i][0] for i in theme.members).most_common(1)[0]
        assert n / theme.count >= 0.8
    support = next(t for t in themes if 64 in t.members)
    assert set(range(64, 104)) <= set(support.members)
    assert support.examples.count("サポートの回答が遅く不満。") <= 1


@pytest.mark.django_db
def test_a_roster_lost_reason_column_becomes_lost_deal_reasons_once(world):
    from customers import services as cs_services

    roster = ("顧客名,契約日,解約日,失注理由\r\n"
              "株式会社さくら物産,2025/01/10,2025/05/31,価格が予算に合わなかった\r\n"
              "あおば商事株式会社,2025/02/03,,\r\n"
              "株式会社ひかり工業,2025/03/15,,導入の手間が大きい\r\n")
    for _ in range(2):  # the same roster twice: the reasons are stored once
        batch = cs_services.roster_import_preview(
            company=world.company, team=world.team, user=world.user("manager"),
            data=roster.encode(), filename="r.csv", as_of=date(2025, 6, 1))
        assert batch.problems == []
        cs_services.roster_import_commit(roster_import=batch, user=world.user("manager"))
    stored = set(VoiceComment.objects.filter(team=world.team, source="lost_reason")
                 .values_list("text", "said_on"))
    assert stored == {("価格が予算に合わなかった", date(2025, 5, 31)),
                      ("導入の手間が大きい", date(2025, 6, 1))}

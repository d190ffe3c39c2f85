"""Voice-of-customer themes from Japanese and English comments."""


import pytest

from engine import voice
from engine.voice import THEMES, Comment, content_words, themes

JAPANESE_NPS_COMMENTS = [
    "初期設定が複雑で、使い方を理解するまでに時間がかかりました。",  # j1 onboarding
    "サポートの返信が遅く、問い合わせから3日かかった。",  # j2 support (+ 遅い → quality)
    "料金が高くて、来期は解約を検討しています。",  # j3 price, churn intent
    "CSVエクスポート機能が欲しいです。",  # j4 features
    "とても便利で、毎日の業務が助かっています。",  # j5 praise
    "画面遷移のたびにエラーが出る。不具合を早く直してほしい。",  # j6 quality
    "他社ツールへの乗り換えも考えています。",  # j7 churn intent
    "レポート画面が見やすくて満足しています。",  # j8 praise
    "レポートの項目をもっと自由に選びたい。",  # j9 nothing in the lexicon
    "使いにくいので、やめたいという声がチーム内で出ています。",  # j10 onboarding, churn intent
]

ENGLISH_NPS_COMMENTS = [
    "Setup was painful and the onboarding emails were confusing.",  # e1 onboarding
    "Way too expensive for what it does; pricing doubled this year.",  # e2 price
    "Support takes days to respond to a ticket.",  # e3 support
    "The dashboard is slow and we hit constant errors.",  # e4 quality
    "Found two bugs in the export.",  # e5 quality
    "We need a Salesforce integration.",  # e6 features
    "Thinking about cancelling and moving to a competitor.",  # e7 churn intent
    "Great product, the team finds it really helpful.",  # e8 praise
    "The export to Excel keeps timing out.",  # e9 nothing in the lexicon
]


def comments(texts, prefix="c"):
    return [Comment(f"{prefix}{i}", text, "nps") for i, text in enumerate(texts, start=1)]


def by_key(found):
    return {theme.key: theme for theme in found}


def test_japanese_comments_group_into_themes_that_propose_kpis():
    found = themes(comments(JAPANESE_NPS_COMMENTS, "j"))
    # churn intent: j3 (解約), j7 (他社, 乗り換え), j10 (やめ) = 3
    # onboarding: j1 (初期設定, 使い方), j10 (使いにくい) = 2
    # quality: j2 (遅く → 遅い), j6 (エラー, 不具合) = 2
    # praise: j5 (便利, 助かる), j8 (満足) = 2
    # price: j3; support: j2; features: j4 = 1 each; ties keep the lexicon order.
    assert [(t.key, t.count) for t in found] == [
        ("churn_intent", 3),
        ("onboarding", 2),
        ("quality", 2),
        ("praise", 2),
        ("price", 1),
        ("support", 1),
        ("features", 1),
        ("other", 3),
    ]
    themes_by_key = by_key(found)
    assert themes_by_key["churn_intent"].comment_ids == ["j3", "j7", "j10"]
    assert themes_by_key["onboarding"].kpi_candidate.code == "onboarding_completion"
    assert themes_by_key["price"].kpi_candidate.code == "revenue_churn_arpa"
    assert themes_by_key["support"].kpi_candidate.label_ja == "初回応答時間"
    assert themes_by_key["features"].kpi_candidate.label_en == (
        "Feature adoption (weekly active feature use)"
    )
    assert themes_by_key["praise"].kpi_candidate.code == "nps"
    assert themes_by_key["churn_intent"].label_ja == "解約の意向"


def test_other_frequent_words_surface_what_the_lexicon_does_not_know():
    other = themes(comments(JAPANESE_NPS_COMMENTS, "j"))[-1]
    # レポート is in j8 and j9, 画面 in j6 and j8: two comments each, nothing else repeats.
    assert other.key == "other"
    assert other.keywords == ["レポート", "画面"]
    assert other.comment_ids == ["j6", "j8", "j9"]
    assert other.kpi_candidate is None
    assert other.label_en == "Other frequent words"


def test_english_comments_group_into_the_same_themes():
    found = themes(comments(ENGLISH_NPS_COMMENTS, "e"), lang="en")
    # quality: e4 (slow, errors → error), e5 (bugs → bug) = 2; every other theme has one.
    assert [(t.key, t.count) for t in found] == [
        ("quality", 2),
        ("onboarding", 1),
        ("price", 1),
        ("support", 1),
        ("features", 1),
        ("churn_intent", 1),
        ("praise", 1),
        ("other", 2),
    ]
    themes_by_key = by_key(found)
    assert themes_by_key["quality"].keywords == ["bug", "error", "slow"]
    assert themes_by_key["churn_intent"].keywords == ["cancelling", "competitor"]
    # "export" is in e5 and e9.
    assert themes_by_key["other"].keywords == ["export"]


def test_mixed_languages_share_one_set_of_themes():
    found = by_key(themes(comments(["サポートの対応が丁寧", "Support is quick to reply"])))
    assert found["support"].count == 2
    # Each keyword is said once, so they sort by text.
    assert found["support"].keywords == ["reply", "support", "サポート", "対応"]


def test_conjugated_japanese_matches_its_dictionary_form():
    assert content_words("料金が高くて困っています") == ("料金", "高い", "困る")
    found = by_key(themes(comments(["値段が高すぎる", "本当に助かります", "もうやめます"])))
    assert found["price"].count == 1
    assert found["praise"].keywords == ["助かる"]
    assert found["churn_intent"].keywords == ["やめ", "やめる"]


def test_full_width_and_half_width_text_is_normalised():
    found = by_key(themes(comments(["ｻﾎﾟｰﾄが親切", "ＷＥ ＷＩＬＬ ＣＡＮＣＥＬ"])))
    assert found["support"].count == 1
    assert found["churn_intent"].keywords == ["cancel"]


def test_a_comment_counts_once_per_theme_however_many_keywords_it_has():
    found = by_key(themes(comments(["初期設定と導入と使い方のマニュアルが分かりにくい"])))
    assert found["onboarding"].count == 1
    assert len(found["onboarding"].keywords) >= 4


def test_examples_are_at_most_three_short_distinct_quotes():
    long_text = "導入" + "とても時間がかかり" * 10
    texts = ["導入が大変", "導入が大変", long_text, "導入に1か月", "導入の手順が多い"]
    examples = by_key(themes(comments(texts)))["onboarding"].examples
    assert len(examples) == 3
    assert examples[0] == "導入が大変"
    assert len(examples[1]) == 60 and examples[1].endswith("…")
    assert examples[2] == "導入に1か月"


def test_max_themes_keeps_the_largest():
    found = themes(comments(JAPANESE_NPS_COMMENTS), max_themes=2)
    assert [t.key for t in found] == ["churn_intent", "onboarding"]
    assert themes(comments(JAPANESE_NPS_COMMENTS), max_themes=0) == []


def test_no_comments_no_themes():
    assert themes([]) == []
    assert themes(comments(["", "   "])) == []


def test_words_said_once_do_not_make_an_other_theme():
    assert [t.key for t in themes(comments(["天気がいい", "猫がかわいい"]))] == []


def test_the_result_is_deterministic():
    texts = comments(JAPANESE_NPS_COMMENTS + ENGLISH_NPS_COMMENTS)
    assert themes(texts) == themes(list(texts))


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="lang"):
        themes(comments(["hello"]), lang="fr")


def test_every_theme_proposes_a_distinct_kpi():
    codes = [definition.kpi_candidate.code for definition in THEMES]
    assert len(codes) == len(set(codes)) == 7


def test_a_thousand_comments_are_grouped_from_a_cold_start():
    sentences = JAPANESE_NPS_COMMENTS + ENGLISH_NPS_COMMENTS
    texts = [f"{sentences[i % len(sentences)]} 顧客番号{i}番より" for i in range(1000)]
    # Start cold: no cached tokens, no Janome dictionary loaded.
    content_words.cache_clear()
    voice._tokenizer.cache_clear()
    found = themes(comments(texts))
    assert by_key(found)["churn_intent"].count > 100

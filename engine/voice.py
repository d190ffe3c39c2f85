"""Voice of customer: group free-text comments into themes that each propose a KPI.

Pure Python (no Django), offline and deterministic. Japanese text is split into words with
Janome (nouns, verbs and adjectives, in their dictionary form); English with a small regex
tokenizer and a stopword list. A comment belongs to every theme of the built-in lexicon
whose keyword it contains — as a word, or for Japanese keywords also as a substring, since
Janome splits 使いにくい into 使う + にくい. Words that no theme claims feed a last
"other frequent words" theme, so topics the lexicon does not know still surface.

It is keyword matching, not sentiment analysis: 「不満はない」 still counts as 不満.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from janome.tokenizer import Tokenizer

EXAMPLES_PER_THEME = 3
EXAMPLE_LENGTH = 60
OTHER_WORDS = 5
OTHER_MIN_COMMENTS = 2


@dataclass(frozen=True)
class Comment:
    """One piece of free text: an NPS comment, a lost-deal reason, a roster note."""

    id: str
    text: str
    source: str = ""


@dataclass(frozen=True)
class KpiCandidate:
    """The KPI a theme suggests measuring, as a stable code with its labels."""

    code: str
    label_ja: str
    label_en: str


@dataclass(frozen=True)
class ThemeDefinition:
    """A lexicon entry: the words that signal a theme and the KPI it proposes."""

    key: str
    label_ja: str
    label_en: str
    keywords: frozenset[str]
    kpi_candidate: KpiCandidate


@dataclass(frozen=True)
class Theme:
    """Comments sharing a theme: how many, up to three short quotes and the KPI to watch.

    ``keywords`` are the words that matched, most frequent first; ``comment_ids`` are the
    matching comments in input order. The "other" theme has no KPI candidate.
    """

    key: str
    label_ja: str
    label_en: str
    count: int
    examples: list[str]
    kpi_candidate: KpiCandidate | None
    keywords: list[str] = field(default_factory=list)
    comment_ids: list[str] = field(default_factory=list)


def _theme(key, label_ja, label_en, keywords, kpi):
    kpi_candidate = KpiCandidate(*kpi)
    return ThemeDefinition(key, label_ja, label_en, frozenset(keywords.split()), kpi_candidate)


THEMES: tuple[ThemeDefinition, ...] = (
    _theme(
        "onboarding",
        "初期設定・導入",
        "Setup and onboarding",
        "設定 導入 初期 初期設定 使い方 オンボーディング マニュアル"
        " 使いにくい 分かりにくい わかりにくい"
        " setup onboarding install installation configure configuration tutorial",
        ("onboarding_completion", "オンボーディング完了率", "Onboarding completion rate"),
    ),
    _theme(
        "price",
        "価格",
        "Price",
        "価格 高い 料金 値段 費用 コスト 値上げ 予算 price pricing expensive cost budget",
        ("revenue_churn_arpa", "レベニューチャーン / ARPA", "Revenue churn / ARPA"),
    ),
    _theme(
        "support",
        "サポート対応",
        "Support",
        "サポート 問い合わせ 問合せ 返信 対応 回答 窓口"
        " support response reply respond ticket helpdesk",
        ("first_response_time", "初回応答時間", "First response time"),
    ),
    _theme(
        "quality",
        "不具合・品質",
        "Bugs and quality",
        "不具合 エラー バグ 遅い 重い 落ちる 障害 bug buggy error slow crash broken outage",
        ("error_rate_csat", "エラー率 / CSAT", "Error rate / CSAT"),
    ),
    _theme(
        "features",
        "機能要望",
        "Feature requests",
        "機能 欲しい 要望 連携 feature integration wish",
        (
            "feature_adoption",
            "機能利用率（週次アクティブ機能利用）",
            "Feature adoption (weekly active feature use)",
        ),
    ),
    _theme(
        "churn_intent",
        "解約の意向",
        "Intent to cancel",
        "解約 やめ やめる 辞める 乗り換え 乗り換える 他社 退会 キャンセル"
        " cancel cancelled canceled cancelling canceling cancellation"
        " churn competitor unsubscribe",
        ("logo_churn", "ロゴチャーン率", "Logo churn rate"),
    ),
    _theme(
        "praise",
        "満足・称賛",
        "Praise",
        "便利 満足 助かる 使いやすい 分かりやすい わかりやすい 最高 ありがたい 感謝"
        " great love excellent helpful useful awesome amazing",
        ("nps", "NPS", "NPS"),
    ),
)

OTHER_KEY = "other"

_LEXICON_WORDS = frozenset().union(*(t.keywords for t in THEMES))

# Words too common to name a topic, in dictionary form. Word lists read better as text.
JA_STOPWORDS = frozenset(
    """
    する ある いる なる できる 出来る 思う 言う いう れる られる せる くれる もらう
    いただく 頂く やる 行う 見る 来る 行く 使う 感じる 考える ない よい いい 良い 多い
    こと もの 物 ため よう これ それ あれ どれ ここ そこ 方 点 感じ 時 とき 今 今回
    様 さん 部分 場合 的 化 等 弊社 御社 当社 全体 毎回 他 ほか 中 上 下 前 後 月 日
    年 件 回 人 度 気 際 目 以上 以下 必要 状況 状態 現在 特に 利用 使用 ところ
    分かる わかる 出る 入る 使える 見える 持つ おる かかる 掛かる
    """.split()  # noqa: SIM905
)
EN_STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing don done down
    during each even ever every few for from get gets getting got had has have having he
    her here hers him his how i if in into is it its itself just least let like lot lots
    made make makes many me more most much must my no nor not now of off on once one only
    or other our ours out over own please quite rather really same see she should so
    some still such than thank thanks that the their them then there these they thing
    things this those through to too under until up us use used using very was way we
    well were what when where which while who whom why will with would yet you your
    yours isn aren wasn weren doesn didn won wouldn shouldn can't cannot it's i'm we're
    they're don't doesn't didn't isn't wasn't never always add need needs want wants try
    tried work works take took give gave go going come able lot
    """.split()  # noqa: SIM905
)

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_ENGLISH_WORD = re.compile(r"[a-z][a-z0-9'+-]*[a-z0-9+]|[a-z]")
_ASCII_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'+.-]*")
_SPACES = re.compile(r"\s+")

# Janome parts of speech worth keeping: independent nouns, verbs and adjectives.
_NOUN_SKIP = frozenset({"非自立", "代名詞", "数", "接尾", "副詞可能", "特殊"})


@lru_cache(maxsize=1)
def _tokenizer() -> Tokenizer:
    # Janome loads its dictionary on construction (tenths of a second): do it once, on demand.
    from janome.tokenizer import Tokenizer

    return Tokenizer()


def normalize(text: str) -> str:
    """NFKC-fold the text (full-width Latin and half-width kana) and collapse whitespace."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def _english_word(word: str) -> str | None:
    """Lower-case ``word``, drop stopwords and fold simple plurals (bugs → bug)."""
    word = word.casefold().strip("'.-")
    word = word.removesuffix("'s")
    if len(word) < 2 or word in EN_STOPWORDS or not word[0].isalpha():
        return None
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _english_tokens(text: str) -> list[str]:
    words = (_english_word(w) for w in _ENGLISH_WORD.findall(text.casefold()))
    return [w for w in words if w]


def _japanese_tokens(text: str) -> list[str]:
    words = []
    for token in _tokenizer().tokenize(text):
        surface = token.surface
        if _ASCII_WORD.fullmatch(surface):
            english = _english_word(surface)
            if english:
                words.append(english)
            continue
        pos = token.part_of_speech.split(",")
        if pos[0] == "名詞":
            keep = pos[1] not in _NOUN_SKIP
        else:
            keep = pos[0] in ("動詞", "形容詞") and pos[1] == "自立"
        base = token.base_form if token.base_form != "*" else surface
        if keep and base not in JA_STOPWORDS and not _is_noise(base):
            words.append(base)
    return words


def _is_noise(word: str) -> bool:
    # A lone kana or symbol, or a number, names no topic.
    if len(word) == 1 and not ("\u4e00" <= word <= "\u9fff"):
        return True
    return not any(ch.isalpha() for ch in word)


@lru_cache(maxsize=8192)
def content_words(text: str, lang: str = "ja") -> tuple[str, ...]:
    """The content words of ``text`` in dictionary form, in order (cached per text)."""
    text = normalize(text)
    if lang == "ja" and _JAPANESE.search(text):
        return tuple(_japanese_tokens(text))
    return tuple(_english_tokens(text))


def _matched_keywords(theme: ThemeDefinition, words: frozenset[str], folded: str) -> list[str]:
    matched = []
    for keyword in theme.keywords:
        if keyword in words or (not keyword.isascii() and keyword in folded):
            matched.append(keyword)
    return matched


def _example(text: str) -> str:
    text = normalize(text)
    return text if len(text) <= EXAMPLE_LENGTH else text[: EXAMPLE_LENGTH - 1] + "…"


def _examples(comments: Sequence[Comment]) -> list[str]:
    quotes: list[str] = []
    for comment in comments:
        quote = _example(comment.text)
        if quote and quote not in quotes:
            quotes.append(quote)
        if len(quotes) == EXAMPLES_PER_THEME:
            break
    return quotes


def _other_theme(
    comments: Sequence[Comment], words_by_comment: list[tuple[str, ...]]
) -> Theme | None:
    """The most common words no lexicon theme claims, each said in at least two comments."""
    document_frequency: Counter[str] = Counter()
    for words in words_by_comment:
        document_frequency.update({w for w in words if not _claimed(w)})
    # Most comments first, then alphabetical, so ties never depend on hash order.
    ranked = sorted(document_frequency.items(), key=lambda item: (-item[1], item[0]))
    top = [w for w, n in ranked if n >= OTHER_MIN_COMMENTS][:OTHER_WORDS]
    if not top:
        return None
    matching = [c for c, words in zip(comments, words_by_comment) if set(top) & set(words)]
    return Theme(
        OTHER_KEY,
        "その他の頻出語",
        "Other frequent words",
        len(matching),
        _examples(matching),
        None,
        top,
        [c.id for c in matching],
    )


@lru_cache(maxsize=8192)
def _claimed(word: str) -> bool:
    # 初期設定 or 使いやすい are claimed by a theme even when Janome keeps them whole.
    return word in _LEXICON_WORDS or any(
        not keyword.isascii() and keyword in word for keyword in _LEXICON_WORDS
    )


def themes(comments: Sequence[Comment], lang: str = "ja", max_themes: int = 8) -> list[Theme]:
    """Themes found in ``comments``, largest first, with "other frequent words" last.

    ``lang="ja"`` tokenizes comments containing Japanese with Janome and the rest as
    English; ``lang="en"`` never loads Janome. A comment may count towards several themes.
    """
    if lang not in ("ja", "en"):
        raise ValueError(f"lang must be 'ja' or 'en', got {lang!r}")
    if max_themes < 1:
        return []
    comments = list(comments)
    words_by_comment = [content_words(c.text, lang) for c in comments]
    word_sets = [frozenset(words) for words in words_by_comment]
    folded_texts = [normalize(c.text).casefold() for c in comments]
    found = []
    for order, definition in enumerate(THEMES):
        matching: list[Comment] = []
        keyword_counts: Counter[str] = Counter()
        for comment, words, folded in zip(comments, word_sets, folded_texts):
            matched = _matched_keywords(definition, words, folded)
            if matched:
                matching.append(comment)
                keyword_counts.update(matched)
        if matching:
            keywords = sorted(keyword_counts, key=lambda k: (-keyword_counts[k], k))
            theme = Theme(
                definition.key,
                definition.label_ja,
                definition.label_en,
                len(matching),
                _examples(matching),
                definition.kpi_candidate,
                keywords,
                [c.id for c in matching],
            )
            found.append((order, theme))
    found.sort(key=lambda item: (-item[1].count, item[0]))
    result = [theme for _, theme in found][:max_themes]
    if len(result) < max_themes:
        other = _other_theme(comments, words_by_comment)
        if other:
            result.append(other)
    return result

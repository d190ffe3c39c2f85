"""Themes found in the texts themselves: Janome words → TF-IDF → NMF topics, k by silhouette.

Pure (numpy, scikit-learn, Janome; no Django), offline and deterministic (fixed
``random_state``). No word list decides what a theme is: the TF-IDF matrix is factored
into k topics (non-negative matrix factorisation), each comment joins its strongest topic,
and k (2 … 8) is the one whose comment-topic weights separate best (cosine silhouette;
ties go to the smaller k). The words that weigh most in a topic name it, the comments
that lean on it most quote it. A small sentiment
lexicon only scores each comment positive, neutral or negative (negations flip it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from engine.voice import content_words, normalize

MAX_TEXTS = 2000
MAX_TEXT_LENGTH = 2000
MAX_THEMES = 8
LABEL_TERMS = 3
TOP_TERMS = 8
EXAMPLES = 3
EXAMPLE_LENGTH = 80
RANDOM_STATE = 0


@dataclass(frozen=True)
class VoiceText:
    """One comment: an NPS comment, a lost-deal reason, a note; ``said_on`` dates its month."""

    text: str
    source: str = ""
    said_on: date | None = None


@dataclass
class Cluster:
    """A theme: its top words (``terms``, weights in ``weights``), members by input index."""

    terms: list[str]
    weights: list[float]
    members: list[int]
    examples: list[str]
    sentiment: float  # mean of −1 / 0 / +1 over the members
    trend: list[tuple[str, int]] = field(default_factory=list)  # ("2026-11", count), by month
    sources: dict = field(default_factory=dict)  # {"nps": 4, "lost_reason": 2}

    @property
    def label(self) -> str:
        return "・".join(self.terms[:LABEL_TERMS])

    @property
    def count(self) -> int:
        return len(self.members)

    @property
    def tone(self) -> str:
        if self.sentiment <= -0.25:
            return "negative"
        if self.sentiment >= 0.25:
            return "positive"
        return "neutral"


# --- sentiment: a small lexicon, not a topic list --------------------------------------

_POSITIVE = frozenset("""
便利 満足 助かる 使いやすい 分かりやすい わかりやすい 最高 ありがたい 感謝 良い よい いい 早い
速い 快適 丁寧 親切 安心 嬉しい うれしい 素晴らしい 好き 気に入る 簡単 スムーズ 安い 向上 改善
great love excellent helpful useful awesome amazing easy fast good nice happy smooth
""".split())
_NEGATIVE = frozenset("""
不満 遅い 重い 高い 悪い 困る 分かりにくい わかりにくい 使いにくい 不便 面倒 落ちる 不具合 エラー
バグ 障害 残念 ひどい 不安 難しい 複雑 返事 待つ 解約 やめる 乗り換える 高額 割高 止まる 消える
失注 足りない 少ない 弱い 不足 負ける
bad slow expensive bug error crash broken hard difficult confusing annoying poor missing
lost cancel churn outage
""".split())
_NEGATORS = ("ない", "ず", "ません", "なかっ", "not", "no", "never", "n't")


def sentiment(text: str) -> int:
    """+1, 0 or −1 for one comment: lexicon hits, a negation right after a word flips it."""
    words = content_words(text)
    folded = normalize(text).casefold()
    score = 0
    for word in set(words):
        polarity = (word in _POSITIVE) - (word in _NEGATIVE)
        if not polarity:
            continue
        at = folded.find(word)
        tail = folded[at + len(word): at + len(word) + 6] if at >= 0 else ""
        if any(tail.startswith(n) or tail[1:].startswith(n) for n in _NEGATORS[:4]):
            polarity = -polarity
        score += polarity
    return (score > 0) - (score < 0)


# --- clustering ---------------------------------------------------------------------------


def _matrix(token_lists):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer=lambda tokens: tokens, sublinear_tf=True,
                                 norm="l2", max_features=5000)
    matrix = vectorizer.fit_transform(token_lists)
    return matrix, np.asarray(vectorizer.get_feature_names_out())


def _factor(matrix, k):
    """(comment-topic weights W, topic-term weights H) of a k-topic NMF."""
    import warnings

    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = NMF(n_components=k, init="nndsvda", random_state=RANDOM_STATE, max_iter=400)
        weights = model.fit_transform(matrix)
    return weights, model.components_


def _choose_k(matrix, max_k):
    """(W, H) for the k whose comment-topic weights separate best; None if none separates."""
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import normalize as unit_rows

    best = None
    for k in range(2, max_k + 1):
        weights, topics = _factor(matrix, k)
        rows = weights.sum(axis=1) > 0
        labels = weights.argmax(axis=1)[rows]
        if len(set(labels.tolist())) < 2 or len(set(labels.tolist())) >= rows.sum():
            continue
        score = silhouette_score(unit_rows(weights[rows]), labels, metric="cosine")
        if best is None or score > best[0] + 1e-9:
            best = (score, weights, topics)
    return None if best is None else best[1:]


def _example(text: str) -> str:
    text = normalize(text)
    return text if len(text) <= EXAMPLE_LENGTH else text[: EXAMPLE_LENGTH - 1] + "…"


def find_themes(texts: Sequence[VoiceText], *, max_themes: int = MAX_THEMES,
                lang: str = "ja") -> list[Cluster]:
    """Themes in ``texts``, largest first; texts with no content word belong to none.

    At most ``MAX_TEXTS`` texts of ``MAX_TEXT_LENGTH`` characters are read (the caller
    refuses more); fewer than four usable texts make one theme.
    """
    texts = list(texts)[:MAX_TEXTS]
    # Identical texts (a note pasted on many customers) are clustered once, so repetition
    # weighs in the counts, not in how the topics are drawn.
    firsts, copies = {}, {}
    for index, text in enumerate(texts):
        key = normalize(text.text[:MAX_TEXT_LENGTH])
        copies.setdefault(firsts.setdefault(key, index), []).append(index)
    tokens = {i: list(content_words(texts[i].text[:MAX_TEXT_LENGTH], lang)) for i in copies}
    keep = [i for i in copies if tokens[i]]
    if not keep:
        return []
    matrix, terms = _matrix([tokens[i] for i in keep])
    max_k = min(max_themes, len(keep) - 1, matrix.shape[1])
    chosen = _choose_k(matrix, max_k) if len(keep) >= 4 and max_k >= 2 else None
    if chosen is None:  # one theme: everything
        weights = np.ones((len(keep), 1))
        topics = np.asarray(matrix.mean(axis=0))
    else:
        weights, topics = chosen
    labels = np.where(weights.sum(axis=1) > 0, weights.argmax(axis=1), -1)
    clusters = []
    for label in sorted(set(labels.tolist()) - {-1}):
        rows = np.flatnonzero(labels == label)
        centre = np.asarray(topics[label]).ravel()
        order = [j for j in np.argsort(-centre, kind="stable")[:TOP_TERMS] if centre[j] > 0]
        ranked = [keep[r] for r in sorted(
            rows, key=lambda r: (-weights[r, label], -len(copies[keep[r]]), keep[r]))]
        examples = []
        for index in ranked:
            quote = _example(texts[index].text)
            if quote not in examples:
                examples.append(quote)
            if len(examples) == EXAMPLES:
                break
        members = sorted(m for r in rows for m in copies[keep[r]])
        months = Counter(texts[i].said_on.strftime("%Y-%m") for i in members
                         if texts[i].said_on)
        clusters.append(Cluster(
            terms=[str(terms[j]) for j in order], weights=[float(centre[j]) for j in order],
            members=members, examples=examples,
            sentiment=float(np.mean([sentiment(texts[i].text) for i in members])),
            trend=sorted(months.items()),
            sources=dict(Counter(texts[i].source for i in members if texts[i].source))))
    clusters.sort(key=lambda c: (-c.count, c.members[0]))
    return clusters


# --- themes to KPIs -------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiText:
    """What a company KPI says about itself: its code, names, definition and lever."""

    code: str
    text: str


def match_kpi(cluster: Cluster, kpis: Sequence[KpiText], lang: str = "ja",
              min_share: float = 0.2) -> str | None:
    """The code of the KPI whose own words carry most of the theme's weight, or None.

    A KPI fits when the theme's top words found in its name, definition or lever hold at
    least ``min_share`` of the top words' weight (ties: the first KPI given).
    """
    total = sum(cluster.weights) or 1.0
    best = (0.0, None)
    for kpi in kpis:
        words = set(content_words(kpi.text, lang))
        folded = normalize(kpi.text).casefold()
        score = sum(w for term, w in zip(cluster.terms, cluster.weights, strict=True)
                    if term in words or (len(term) > 1 and term in folded))
        if score / total >= min_share and score > best[0]:
            best = (score, kpi.code)
    return best[1]

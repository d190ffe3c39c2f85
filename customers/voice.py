"""Voice of the customer: the team's free texts, their themes, and the KPI each theme belongs to.

Inputs are the roster's NPS comments and notes (特記事項) plus ``VoiceComment`` rows —
lost-deal reasons, call notes, survey comments — added on the voice page (lines or a
CSV/XLSX file) or through the API. Themes come from ``engine.voice_themes`` (no word
lists); each is tied to an existing KPI of the company whose own words carry the theme,
or comes with a prefilled "create a KPI" draft.
"""
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from customers.models import Customer, VoiceComment, VoiceSource
from engine.voice_themes import MAX_TEXTS, KpiText, VoiceText, find_themes, match_kpi
from metrics.models import Kpi
from spreadsheets.dates import parse_date
from spreadsheets.values import ValueProblem

MAX_ROWS = 1000
THEMES_CACHE_SECONDS = 3600
TEXT_HEADERS = {"text", "comment", "reason", "note", "コメント", "内容", "理由", "失注理由",
                "メモ", "本文", "テキスト"}
DATE_HEADERS = {"date", "日付", "日時", "失注日", "記入日"}


@dataclass
class ThemeView:
    """A theme ready for the page and the API."""

    cluster: object  # engine.voice_themes.Cluster
    kpi: Kpi | None
    create_url: str = ""
    label: str = ""
    drafted_by: str = ""
    summary: str = ""
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        self.label = self.label or self.cluster.label


def team_texts(team, source: str = "") -> list[VoiceText]:
    """Every free text of the team (or of one source), roster first, then stored comments."""
    texts = []
    if source in ("", VoiceSource.NPS, VoiceSource.NOTE):
        # The roster does not say when a comment was written: undated (no trend point).
        for nps_comment, notes in Customer.objects.filter(team=team).order_by(
                "pk").values_list("nps_comment", "notes"):
            if nps_comment.strip() and source in ("", VoiceSource.NPS):
                texts.append(VoiceText(nps_comment, VoiceSource.NPS))
            if notes.strip() and source in ("", VoiceSource.NOTE):
                texts.append(VoiceText(notes, VoiceSource.NOTE))
    stored = VoiceComment.objects.filter(team=team)
    if source:
        stored = stored.filter(source=source)
    for text, kind, said_on in stored.order_by("said_on", "pk").values_list(
            "text", "source", "said_on")[:MAX_TEXTS]:
        texts.append(VoiceText(text, kind, said_on))
    return texts[-MAX_TEXTS:]


def _kpi_texts(company):
    kpis = list(Kpi.objects.filter(company=company).order_by("code"))
    return kpis, [KpiText(k.code, " ".join([k.name_ja, k.name_en, k.definition, k.lever]))
                  for k in kpis]


def kpi_prefill(company, cluster, index: int) -> dict:
    """The fields of a KPI measuring the theme: the share of comments that speak of it."""
    with translation.override("ja"):
        name_ja = _("Share of comments on “%(theme)s”") % {"theme": cluster.label}
        definition = _("Comments on %(words)s ÷ all comments (NPS comments, lost-deal "
                       "reasons, notes), per month.") % {"words": "・".join(cluster.terms[:5])}
    with translation.override("en"):
        name_en = _("Share of comments on “%(theme)s”") % {"theme": cluster.label}
    taken = set(Kpi.objects.filter(company=company, code__startswith="voc_")
                .values_list("code", flat=True))
    n = index + 1
    while f"voc_theme_{n}" in taken:
        n += 1
    return {"code": f"voc_theme_{n}", "name_ja": name_ja[:120], "name_en": name_en[:120],
            "definition": definition, "unit": "percent",
            "direction": "higher" if cluster.tone == "positive" else "lower",
            "kind": "leading", "phase": "retention", "cadence": "monthly",
            "aggregation": "average", "data_source": _("Voice of the customer")}


def _cached_themes(texts, lang):
    """``find_themes`` is deterministic: the same texts give the same themes, so they are
    cached by a hash of the texts (a page view does not cluster again)."""
    digest = hashlib.sha256(json.dumps(
        [lang, [(t.text, t.source, t.said_on and t.said_on.isoformat()) for t in texts]],
        ensure_ascii=False).encode()).hexdigest()
    key = f"voice-themes:{digest}"
    clusters = cache.get(key)
    if clusters is None:
        clusters = find_themes(texts, lang=lang)
        cache.set(key, clusters, THEMES_CACHE_SECONDS)
    return clusters


def themes_for(company, texts, *, lang: str = "ja", labeller=None) -> list[ThemeView]:
    """Themes of ``texts`` with their KPI (only this company's KPIs are ever considered).

    ``labeller`` (optional) may rename themes; it gets the clusters and returns labels.
    """
    clusters = _cached_themes(list(texts), lang)
    kpis, kpi_texts = _kpi_texts(company)
    by_code = {k.code: k for k in kpis}
    views = []
    for index, cluster in enumerate(clusters):
        code = match_kpi(cluster, kpi_texts, lang)
        view = ThemeView(cluster=cluster, kpi=by_code.get(code))
        if view.kpi is None:
            view.create_url = reverse("kpi-create", args=[company.slug]) + "?" + urlencode(
                kpi_prefill(company, cluster, index))
        views.append(view)
    if labeller is not None and views:
        labeller(views, texts)
    return views


def _clean_rows(rows):
    """``rows`` of (row number, text, raw date) → VoiceText-ready tuples, or every problem."""
    problems, clean = [], []
    for number, text, raw_date in rows:
        text = (text or "").strip()
        if not text:
            continue
        if len(text) > VoiceComment.MAX_LENGTH:
            problems.append(_("Row %(row)s, column %(column)s: longer than %(max)s "
                              "characters.") % {"row": number, "column": _("text"),
                                                "max": VoiceComment.MAX_LENGTH})
            continue
        said_on = None
        if raw_date not in (None, ""):
            try:
                said_on = parse_date(raw_date)
            except ValueProblem as exc:
                problems.append(_("Row %(row)s, column %(column)s: %(reason)s")
                                % {"row": number, "column": _("date"), "reason": exc.message})
                continue
        clean.append((text, said_on))
    if len(clean) > MAX_ROWS:
        problems.append(_("More than %(max)s comments at once; split the file.")
                        % {"max": MAX_ROWS})
    return clean, problems


def voice_comments_add(*, team, source: str, rows, user=None) -> int:
    """Store the team's comments of one source, all or nothing; returns how many."""
    if source not in VoiceComment.STORED_SOURCES:
        raise ValidationError(_("Choose lost-deal reasons, notes or survey comments."))
    clean, problems = _clean_rows(rows)
    if problems:
        raise ValidationError(problems)
    if not clean:
        raise ValidationError(_("No comments found: write one per line, or upload a file "
                                "with a text column."))
    with transaction.atomic():
        VoiceComment.objects.bulk_create([
            VoiceComment(company=team.company, team=team, source=source, text=text,
                         said_on=said_on, created_by=user) for text, said_on in clean])
    return len(clean)


def rows_from_lines(text: str):
    """One comment per line; a line may start with a date and a tab ("2026-11-04\\t…")."""
    rows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        head, sep, tail = line.partition("\t")
        rows.append((number, tail, head) if sep else (number, line, None))
    return rows


def rows_from_table(table):
    """(row, text, date) from an uploaded table's text and date columns, or ValidationError."""
    headers = [h.strip().lower() for h in table.headers]
    text_col = next((i for i, h in enumerate(headers) if h in TEXT_HEADERS), None)
    if text_col is None:
        raise ValidationError(_("The file has no text column (for example “text”, “コメント” "
                                "or “失注理由”)."))
    date_col = next((i for i, h in enumerate(headers) if h in DATE_HEADERS), None)

    def cell(cells, index):
        return None if index is None or index >= len(cells) else cells[index]

    return [(number, str(cell(cells, text_col) or ""), cell(cells, date_col))
            for number, cells in table.rows]


def roster_lost_reasons_add(*, batch, user=None) -> int:
    """A roster's 失注理由 / 解約理由 column as lost-deal reasons of the team (dated by the
    churn date, else the roster's day); a reason already stored for that day is not repeated."""
    rows = [(r.get("lost_reason") or "").strip() for r in batch.rows]
    dates = [r.get("churn_date") or batch.as_of.isoformat() for r in batch.rows]
    wanted = {(text[:VoiceComment.MAX_LENGTH], date.fromisoformat(str(day)))
              for text, day in zip(rows, dates, strict=True) if text}
    if not wanted:
        return 0
    have = set(VoiceComment.objects.filter(team=batch.team, source=VoiceSource.LOST_REASON)
               .values_list("text", "said_on"))
    new = sorted(wanted - have)
    VoiceComment.objects.bulk_create([
        VoiceComment(company=batch.company, team=batch.team, source=VoiceSource.LOST_REASON,
                     text=text, said_on=day, created_by=user) for text, day in new])
    return len(new)

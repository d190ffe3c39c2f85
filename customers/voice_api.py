"""Voice-of-the-customer API: themes of any texts, and storing a team's comments."""
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.responses import Status

from customers import voice
from customers.models import VoiceComment
from engine.voice_themes import MAX_TEXT_LENGTH, MAX_TEXTS, VoiceText
from teams.models import Team
from teams.permissions import can

router = Router(tags=["voice of the customer"])


class ThemesIn(Schema):
    texts: list[str] = Field(..., max_length=MAX_TEXTS)


class ThemeOut(Schema):
    label: str
    count: int
    examples: list[str]
    members: list[int]
    kpi: str | None
    terms: list[str]
    sentiment: str
    create_kpi_url: str | None
    drafted_by: str


class ThemesOut(Schema):
    themes: list[ThemeOut]


class CommentsIn(Schema):
    team: str
    source: str
    texts: list[str] = Field(..., max_length=voice.MAX_ROWS)
    dates: list[str] | None = None


class CommentsOut(Schema):
    added: int


class ErrorOut(Schema):
    detail: str


@router.post("/{company}/voice/themes", response={200: ThemesOut, 400: ErrorOut, 403: ErrorOut},
             url_name="api-voice-themes")
def voice_themes(request, company: str, payload: ThemesIn):
    """Themes of the posted texts, each tied to one of this company's KPIs when one fits.

    ``members`` are indexes into ``texts``; texts with no content word belong to none.
    """
    if not can(request.membership, "view"):
        return Status(403, {"detail": "forbidden"})
    if any(len(t) > MAX_TEXT_LENGTH for t in payload.texts):
        return Status(400, {"detail": f"each text has at most {MAX_TEXT_LENGTH} characters"})
    from customers.voice_assist import theme_labeller

    themes = voice.themes_for(request.company, [VoiceText(t) for t in payload.texts],
                              labeller=theme_labeller(request.company))
    return Status(200, {"themes": [{
        "label": t.label, "count": t.cluster.count, "examples": t.cluster.examples,
        "members": t.cluster.members, "kpi": t.kpi.code if t.kpi else None,
        "terms": t.cluster.terms, "sentiment": t.cluster.tone,
        "create_kpi_url": t.create_url or None, "drafted_by": t.drafted_by or "builtin",
    } for t in themes]})


@router.post("/{company}/voice/comments",
             response={201: CommentsOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="api-voice-comments")
def voice_comments(request, company: str, payload: CommentsIn):
    """Store a team's lost-deal reasons, notes or survey comments (all or nothing)."""
    if not can(request.membership, "contribute"):
        return Status(403, {"detail": "forbidden"})
    team = get_object_or_404(Team, company=request.company, slug=payload.team)
    if not can(request.membership, "contribute", team):
        return Status(403, {"detail": "forbidden"})
    dates = payload.dates or []
    if dates and len(dates) != len(payload.texts):
        return Status(400, {"detail": "dates must be as long as texts"})
    if payload.source not in VoiceComment.STORED_SOURCES:
        return Status(400, {"detail": "source must be one of "
                            + ", ".join(VoiceComment.STORED_SOURCES)})
    rows = [(i + 1, text, dates[i] if dates else None) for i, text in enumerate(payload.texts)]
    try:
        added = voice.voice_comments_add(team=team, source=payload.source, rows=rows,
                                         user=request.membership.user)
    except ValidationError as exc:
        return Status(400, {"detail": " ".join(exc.messages)})
    return Status(201, {"added": added})

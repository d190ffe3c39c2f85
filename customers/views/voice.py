"""The voice-of-the-customer page: themes found in the team's texts, and adding texts."""
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.htmx import render_page
from customers import voice
from customers.models import VoiceSource
from spreadsheets.reading import FileRejected, read_table
from teams.tenancy import company_view, get_team, require

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
SOURCE_FILTERS = ("", "nps", "note", "lost_reason", "survey")


class VoiceAddForm(forms.Form):
    source = forms.ChoiceField(label=gettext_lazy("Kind"), choices=[
        (VoiceSource.LOST_REASON, VoiceSource.LOST_REASON.label),
        (VoiceSource.NOTE, VoiceSource.NOTE.label),
        (VoiceSource.SURVEY, VoiceSource.SURVEY.label)])
    lines = forms.CharField(
        label=gettext_lazy("Comments, one per line"), required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("A line may start with its date and a tab: "
                               "2026-11-04<Tab>価格が合わず失注"))
    file = forms.FileField(label=gettext_lazy("or a CSV / Excel file"), required=False,
                           help_text=gettext_lazy("Columns: text (コメント, 失注理由) and, "
                                                  "optionally, date (日付)."))


def _labeller(company):
    from customers.voice_assist import theme_labeller

    return theme_labeller(company)


@company_view("view")
def cs_voice(request, team):
    team = get_team(request, team)
    source = request.GET.get("source", "")
    if source not in SOURCE_FILTERS:
        source = ""
    texts = voice.team_texts(team, source)
    themes = voice.themes_for(request.company, texts, labeller=_labeller(request.company))
    counts = {}
    for text in texts:
        counts[text.source] = counts.get(text.source, 0) + 1
    labels = dict(VoiceSource.choices)
    for theme in themes:
        trend = theme.cluster.trend[-12:]
        top = max((n for _m, n in trend), default=1)
        theme.extra = {
            "sources": [(labels.get(k, k), n) for k, n in sorted(
                theme.cluster.sources.items(), key=lambda item: -item[1])],
            "trend": [(m, n, round(100 * n / top)) for m, n in trend],
        }
    filters = [(key, label, counts.get(key, 0) if key else len(texts)) for key, label in (
        ("", _("All")), *((s.value, s.label) for s in VoiceSource))]
    return render_page(request, "customers/cs_voice.html", {
        "team": team, "themes": themes, "texts_count": len(texts), "source": source,
        "filters": filters, "form": VoiceAddForm(),
        "drafted_by": themes[0].drafted_by if themes else "",
    })


@require_POST
@company_view("contribute")
def cs_voice_add(request, team):
    """Store lost-deal reasons, notes or survey comments typed or uploaded on the page."""
    team = get_team(request, team)
    require(request, "contribute", team)
    form = VoiceAddForm(request.POST, request.FILES)
    url = reverse("cs-voice", args=[request.company.slug, team.slug])
    if not form.is_valid():
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
        return redirect(url)
    try:
        rows = voice.rows_from_lines(form.cleaned_data["lines"])
        upload = form.cleaned_data.get("file")
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                raise ValidationError(_("The file is larger than 5 MB."))
            table = read_table(upload.read(), upload.name)
            rows += voice.rows_from_table(table)
        added = voice.voice_comments_add(team=team, source=form.cleaned_data["source"],
                                         rows=rows, user=request.user)
    except FileRejected as exc:
        messages.error(request, " ".join(str(p.message) for p in exc.problems))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(count)s comments added.") % {"count": added})
    return redirect(url)

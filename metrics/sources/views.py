"""The sources page (admins and managers) and the signed webhook endpoint."""
from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.htmx import render_page
from core.queue import send_on_commit
from metrics.models import Kpi
from metrics.sources import secrets
from metrics.sources.fetch import FetchError
from metrics.sources.mapping import MappingInvalid, source_map, suggestions
from metrics.sources.models import DataSource, Schedule, SourceKind, SourceRun
from metrics.sources.preview import source_preview
from metrics.sources.services import (
    SourceInvalid,
    last_runs,
    payload_to_csv,
    run_now_key,
    source_create,
    source_run,
)
from metrics.sources.tasks import source_run_task
from teams.idempotency import once_per_form
from teams.tenancy import company_view

MAX_WEBHOOK_BYTES = 5 * 1024 * 1024
WEEKDAYS = [(0, gettext_lazy("Monday")), (1, gettext_lazy("Tuesday")),
            (2, gettext_lazy("Wednesday")), (3, gettext_lazy("Thursday")),
            (4, gettext_lazy("Friday")), (5, gettext_lazy("Saturday")),
            (6, gettext_lazy("Sunday"))]


class SourceForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=SourceKind.choices)
    url = forms.CharField(label=gettext_lazy("Spreadsheet URL"), required=False, max_length=1000)
    dsn = forms.CharField(label=gettext_lazy("Connection string"), required=False,
                          widget=forms.PasswordInput, max_length=1000)
    query = forms.CharField(label=gettext_lazy("Query"), required=False, widget=forms.Textarea)
    mapping = forms.CharField(
        label=gettext_lazy("Mapping"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy('Source names to KPI codes, as JSON: {"Sales (JPY)": "revenue", '
                               '"Month": "period"}'))
    schedule = forms.ChoiceField(label=gettext_lazy("Schedule"), choices=Schedule.choices)
    at = forms.TimeField(label=gettext_lazy("At"), required=False)
    weekday = forms.TypedChoiceField(label=gettext_lazy("Day of the week"), required=False,
                                     choices=[("", "—"), *WEEKDAYS], coerce=int,
                                     empty_value=None)


@company_view("manage_team")
@once_per_form
def source_list(request):
    form = SourceForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            source, secret = source_create(company=request.company, owner=request.user,
                                           **form.cleaned_data)
        except SourceInvalid as invalid:
            for field, message in invalid.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("Source “%(name)s” added.") % {"name": source.name})
            if secret is None:
                return redirect("source-list", request.company.slug)
            form = SourceForm()
    sources = list(DataSource.objects.filter(company=request.company).select_related("owner"))
    runs = last_runs(sources)
    rows = [{"source": s, "run": runs.get(s.pk)} for s in sources]
    for row in rows:
        unmapped = row["run"].unmapped if row["run"] else []
        row["suggested"] = list(suggestions(request.company, unmapped).items())
    return render_page(request, "metrics/sources.html", {
        "form": form, "rows": rows, "secret": secret,
        "kpis": [k for k in Kpi.objects.filter(company=request.company).order_by("code")
                 if not k.is_computed] if any(r["suggested"] for r in rows) else [],
        "hook_base": request.build_absolute_uri(f"/hooks/{request.company.slug}/"),
    })


@require_POST
@company_view("manage_team")
def source_run_now(request, source_id):
    source = get_object_or_404(DataSource, company=request.company, pk=source_id)
    if source.kind == SourceKind.WEBHOOK:
        messages.error(request, _("A webhook source runs when its sender posts to it."))
    else:
        # The row first (the outbox), then the message: with the broker down the run
        # waits for the reaper (metrics.sources.recovery) instead of failing the page.
        run = SourceRun.objects.create(source=source, key=run_now_key())
        send_on_commit(source_run_task, source.pk, run.key)
        messages.success(request, _("The source is running; its status shows here."))
    return redirect("source-list", request.company.slug)


@require_POST
@company_view("manage_team")
def source_preview_view(request, source_id):
    """What running the source now would change (fetched now; nothing is written)."""
    source = get_object_or_404(DataSource.objects.select_related("company", "owner"),
                               company=request.company, pk=source_id)
    return render_page(request, "metrics/source_preview.html", {
        "source": source, "preview": source_preview(source=source)})


@require_POST
@company_view("manage_team")
def source_mapping(request, source_id):
    """Map the names the last run did not know (one select per name, suggestion first)."""
    source = get_object_or_404(DataSource, company=request.company, pk=source_id)
    names, targets = request.POST.getlist("name"), request.POST.getlist("target")
    try:
        source_map(source=source, pairs=dict(zip(names, targets, strict=False)))
    except MappingInvalid as invalid:
        messages.error(request, str(invalid))
    else:
        messages.success(request, _("Mapping saved; run the source again to use it."))
    return redirect("source-list", request.company.slug)


def _refuse(status, code, message):
    return JsonResponse({"error": code, "detail": message}, status=status)


@csrf_exempt
@require_POST
def source_webhook(request, company, source_id):
    """Numbers posted by a sender who signs them: ``X-Kgi-Signature: sha256=<hex HMAC of
    "<X-Kgi-Timestamp>." + body>``; older than five minutes, or sent twice, is refused."""
    source = (DataSource.objects.select_related("company", "owner")
              .filter(company__slug=company, pk=source_id, kind=SourceKind.WEBHOOK).first())
    if source is None:
        raise Http404
    body = request.body[:MAX_WEBHOOK_BYTES + 1]
    if len(body) > MAX_WEBHOOK_BYTES:
        return _refuse(413, "too_large", "The body is larger than 5 MB.")
    given = request.headers.get("X-Kgi-Signature", "")
    refused = secrets.check_signature(secrets.decrypt(source.secret),
                                      request.headers.get("X-Kgi-Timestamp", ""), body, given)
    if refused == "replay":
        return _refuse(403, "replay", "The timestamp is more than five minutes away from now.")
    if refused:
        return _refuse(403, refused, "The signature or the timestamp is not valid.")
    if not source.active:
        return _refuse(409, "inactive", "The source is switched off.")
    key = "hook:" + given.removeprefix("sha256=")[:64]
    if SourceRun.objects.filter(source=source, key=key).exists():
        return _refuse(409, "replay", "This signed body was received already.")
    try:
        data = payload_to_csv(json.loads(body or b"null"))
    except (ValueError, FetchError) as error:
        message = str(error) if isinstance(error, FetchError) else "The body is not JSON."
        return _refuse(400, "bad_payload", message)
    run = source_run(source=source, key=key, filename="webhook.csv", data=data)
    return JsonResponse(run_as_dict(run), status=200 if run.status == "done" else 422)


def run_as_dict(run: SourceRun | None) -> dict | None:
    if run is None:
        return None
    return {"id": run.pk, "status": run.status, "new": run.new_count,
            "changed": run.changed_count, "unchanged": run.unchanged_count,
            "error": run.error, "unmapped": run.unmapped,
            "started_at": run.started_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None}

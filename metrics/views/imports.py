"""Import a spreadsheet: upload → preview with every problem → commit all or nothing."""
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.htmx import render_page
from core.queue import send_on_commit
from metrics.batch_changes import UndoRefused, batch_undo, can_undo, diff_rows
from metrics.forms_numbers import ImportUploadForm
from metrics.import_progress import progress_percent
from metrics.imports import (
    ASYNC_RECORDS,
    import_analyze,
    import_batch_create,
    import_commit,
)
from metrics.models import ImportBatch, ImportStatus, Kpi
from metrics.target_imports import (
    TargetImport,
    TargetImportRefused,
    targets_analyze,
    targets_import_commit,
)
from metrics.tasks import import_analyze_task, import_commit_task
from teams.models import Team
from teams.tenancy import company_view

MAX_UPLOAD = 20 * 1024 * 1024


@company_view("contribute")
def import_upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            form.add_error("file", _("The file is %(size).1f MB; the limit is 20 MB.")
                           % {"size": upload.size / 1024 / 1024})
        elif form.cleaned_data["layout"] == "targets":
            result = targets_analyze(company=request.company, membership=request.membership,
                                     filename=upload.name, data=upload.read())
            return render_page(request, "metrics/import_targets.html", {"result": result},
                               status=422 if result.problems else 200)
        else:
            batch = import_batch_create(company=request.company, user=request.user,
                                        filename=upload.name, data=upload.read(),
                                        language=request.LANGUAGE_CODE)
            if batch.status == ImportStatus.UPLOADED:
                import_analyze(batch=batch)
            else:
                # Not sent when the broker is down: the reaper sends it once it is back.
                send_on_commit(import_analyze_task, batch.pk)
            return redirect("import-preview", request.company.slug, batch.pk)
    batches = (ImportBatch.objects.filter(company=request.company)
               .defer("data", "problems", "changes").select_related("uploaded_by")[:10])
    return render_page(request, "metrics/import_upload.html", {
        "form": form, "batches": batches,
        "has_kpis": Kpi.objects.filter(company=request.company).exists()})


def _batch(request, batch_id):
    return get_object_or_404(ImportBatch.objects.defer("data"), company=request.company,
                             pk=batch_id)


@company_view("contribute")
def import_preview(request, batch_id):
    batch = _batch(request, batch_id)
    return render_page(request, "metrics/import_preview.html", {
        "batch": batch, "percent": progress_percent(batch), "diff": diff_rows(batch),
        "can_undo": (batch.status == ImportStatus.DONE and bool(batch.changes)
                     and not ImportBatch.objects.filter(undo_of=batch).exists()
                     and can_undo(batch, request.user)),
        "teams": Team.objects.filter(company=request.company, kpis__isnull=False).distinct(),
    })


@company_view("contribute")
def import_status(request, batch_id):
    """The progress bar, polled by htmx; once the batch is finished (100 %) the page reloads."""
    batch = _batch(request, batch_id)
    response = render_page(request, "metrics/import_preview.html",
                           {"batch": batch, "percent": progress_percent(batch)},
                           partial="progress")
    if not batch.is_working and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@require_POST
@company_view("contribute")
def import_commit_view(request, batch_id):
    batch = _batch(request, batch_id)
    if batch.status != ImportStatus.READY:
        messages.error(request, _("This file cannot be imported in its current state."))
        return redirect("import-preview", request.company.slug, batch.pk)
    if batch.record_count > ASYNC_RECORDS:
        ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.READY).update(
            status=ImportStatus.QUEUED, commit_requested_by=request.user,
            commit_requested_at=timezone.now())
        send_on_commit(import_commit_task, batch.pk)
        messages.info(request, _("The import runs in the background; you can leave this page "
                                 "and come back."))
    else:
        batch = import_commit(batch_id=batch.pk, user=request.user)
        for refusal in getattr(batch, "refusals", ()):
            messages.error(request, refusal)
        if batch.status == ImportStatus.DONE:
            messages.success(request, _("Imported: %(new)s new, %(changed)s changed, "
                                        "%(unchanged)s unchanged.") % {
                "new": batch.new_count, "changed": batch.changed_count,
                "unchanged": batch.unchanged_count})
    return redirect("import-preview", request.company.slug, batch.pk)


@require_POST
@company_view("contribute")
def import_undo_view(request, batch_id):
    """Undo a committed import (its owner or an admin): its own batch, shown next."""
    batch = _batch(request, batch_id)
    try:
        undo = batch_undo(batch_id=batch.pk, user=request.user)
    except UndoRefused as refused:
        messages.error(request, refused.message)
        return redirect("import-preview", request.company.slug, batch.pk)
    messages.success(request, _("Undone: %(count)s values are back to what they were.")
                     % {"count": undo.changed_count})
    return redirect("import-preview", request.company.slug, undo.pk)


@require_POST
@company_view("contribute")
def import_targets_commit(request):
    """POST token (the checked preview): write those targets all or nothing."""
    try:
        count = targets_import_commit(company=request.company, membership=request.membership,
                                      token=request.POST.get("token", ""), user=request.user)
    except TargetImportRefused as refused:
        result = TargetImport(filename=request.POST.get("filename", "")[:200],
                              problems=refused.problems)
        return render_page(request, "metrics/import_targets.html", {"result": result},
                           status=422)
    messages.success(request, _("%(n)s targets imported.") % {"n": count})
    return redirect("import-upload", request.company.slug)

"""Customer roster pages: the list, a hand edit, and the upload → preview → commit import."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.htmx import render_page
from core.queue import send_on_commit
from customers import roster_jobs
from customers import selectors as cs_selectors
from customers import services as cs_services
from customers.forms import CustomerForm, RosterUploadForm
from customers.models import Customer, OnboardingStatus, RosterImport, RosterImportStatus
from customers.tasks import roster_analyze_task, roster_commit_task
from teams.empty import render_no_team
from teams.tenancy import company_view, get_team, require

PAGE_SIZE = 50


@company_view("view")
def customers_home(request):
    """The nav's "Customers" link: the cs team's roster (or the first team with customers)."""
    team = cs_selectors.cs_team_for(request.company)
    if team is None:
        return render_no_team(
            request, title=_("Customers"),
            message=_("No team yet: a customer roster belongs to a team (usually customer "
                      "success). Create a team, then import its customers."))
    return redirect("customer-list", request.company.slug, team.slug)


@company_view("view")
def customer_list(request, team):
    team = get_team(request, team)
    filters = {k: request.GET.get(k, "").strip()[:100] for k in ("q", "status", "plan", "state")}
    page = Paginator(cs_selectors.customer_list(team, **filters), PAGE_SIZE).get_page(
        request.GET.get("page"))
    context = {
        "team": team, "page": page, "filters": filters, "plans": cs_selectors.plans(team),
        "statuses": OnboardingStatus.choices,
        "total": Customer.objects.filter(team=team).count(),
        "recent_imports": RosterImport.objects.filter(team=team).select_related("uploaded_by")[:5],
    }
    return render_page(request, "customers/customer_list.html", context, partial="rows")


@company_view("view")
def customer_edit(request, team, customer_id):
    team = get_team(request, team)
    customer = get_object_or_404(Customer, pk=customer_id, team=team, company=request.company)
    form = CustomerForm(instance=customer)
    if request.method == "POST":
        require(request, "contribute", team)
        form = CustomerForm(request.POST, instance=Customer.objects.get(pk=customer.pk))
        if form.is_valid():
            data = {f: form.cleaned_data[f] for f in form.Meta.fields}
            try:
                cs_services.customer_update(customer=customer, data=data, user=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved %(name)s.") % {"name": data["name"]})
                return redirect("customer-list", request.company.slug, team.slug)
    context = {"team": team, "customer": customer, "form": form,
               "revisions": customer.revisions.select_related("changed_by", "roster_import")[:20]}
    return render_page(request, "customers/customer_edit.html", context,
                       status=400 if form.errors else 200)


@company_view("view")
def roster_import(request, team):
    team = get_team(request, team)
    form = RosterUploadForm()
    if request.method == "POST":
        require(request, "contribute", team)
        form = RosterUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            # A large file is read by a worker, never in the request.
            batch = roster_jobs.roster_upload(
                company=request.company, team=team, user=request.user, data=upload.read(),
                filename=upload.name, as_of=form.cleaned_data["as_of"])
            if batch.status == RosterImportStatus.ANALYZING:
                send_on_commit(roster_analyze_task, batch.pk)
            return redirect("roster-import-preview", request.company.slug, team.slug, batch.pk)
    return render_page(request, "customers/roster_import.html", {"team": team, "form": form},
                       status=400 if form.errors else 200)


def _batch(request, team, import_id):
    return get_object_or_404(RosterImport, pk=import_id, team=team, company=request.company)


@company_view("view")
def roster_import_preview(request, team, import_id):
    team = get_team(request, team)
    batch = _batch(request, team, import_id)
    warnings_by_code = {}
    for warning in batch.warnings:
        warnings_by_code.setdefault(warning["code"], []).append(warning)
    labels = dict(OnboardingStatus.choices)  # rows keep codes; people read the status
    sample = [{**row, "status_label": labels.get(row.get("onboarding_status"),
                                                  row.get("onboarding_status") or "—")}
              for row in batch.rows[:20]]
    context = {"team": team, "batch": batch, "sample": sample,
               "warning_groups": sorted(warnings_by_code.values(), key=lambda g: -len(g)),
               "can_commit": batch.status == RosterImportStatus.PREVIEW and not batch.problems}
    return render_page(request, "customers/roster_preview.html", context)


@require_POST
@company_view("contribute")
def roster_import_commit(request, team, import_id):
    team = get_team(request, team)
    require(request, "contribute", team)
    batch = _batch(request, team, import_id)
    try:
        batch, queued = roster_jobs.roster_commit_request(batch=batch, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("roster-import-preview", request.company.slug, team.slug, batch.pk)
    if queued:  # a large roster: a worker applies it; the preview page follows it
        send_on_commit(roster_commit_task, batch.pk)
        return redirect("roster-import-preview", request.company.slug, team.slug, batch.pk)
    summary = batch.summary
    messages.success(request, _("Roster imported: %(created)s new, %(updated)s updated, "
                                "%(unchanged)s unchanged.") % summary)
    return redirect(reverse("customer-list", args=[request.company.slug, team.slug]))

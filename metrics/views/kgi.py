"""The KGI page: edit the one final goal, see its SMART panel, activate or archive it."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from core.htmx import render_page
from metrics.forms import KgiForm
from metrics.models import Kgi, KgiStatus
from metrics.services import kgi_activate, kgi_archive, kgi_save, kgi_smart_check
from teams.tenancy import company_view


def _current(company):
    """The active KGI, else the newest draft, else a new draft."""
    kgis = Kgi.objects.filter(company=company).exclude(status=KgiStatus.ARCHIVED)
    return (kgis.filter(status=KgiStatus.ACTIVE).first() or kgis.first()
            or Kgi(company=company))


@company_view("admin")
def kgi_edit(request):
    kgi = Kgi(company=request.company) if request.GET.get("new") else _current(request.company)
    form = KgiForm(request.POST or None, instance=kgi, company=request.company)
    if request.method == "POST" and form.is_valid():
        try:
            kgi_save(kgi=form.instance, user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("KGI saved."))
            return redirect("kgi-edit", request.company.slug)
    history = Kgi.objects.filter(company=request.company, status=KgiStatus.ARCHIVED)
    return render_page(request, "metrics/kgi_edit.html", {
        "form": form, "kgi": kgi, "smart": kgi_smart_check(form.instance), "history": history,
    })


@company_view("admin")
def kgi_activate_view(request, pk):
    kgi = get_object_or_404(Kgi, company=request.company, pk=pk)
    if request.method == "POST":
        try:
            kgi_activate(kgi=kgi, user=request.user)
            messages.success(request, _("This KGI is now the company's final goal."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("kgi-edit", request.company.slug)


@company_view("admin")
def kgi_archive_view(request, pk):
    kgi = get_object_or_404(Kgi, company=request.company, pk=pk)
    if request.method == "POST":
        kgi_archive(kgi=kgi, user=request.user)
        messages.success(request, _("KGI archived; its history is kept."))
    return redirect("kgi-edit", request.company.slug)

"""Create and edit KPIs of the tree (admins); formulas are checked by the service."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from core.htmx import render_page
from metrics.forms import KpiForm
from metrics.models import Kpi
from metrics.services import kpi_create, kpi_update
from teams.tenancy import company_view


def _fields(form):
    return {name: value for name, value in form.cleaned_data.items() if name != "code"}


PREFILL = ("code", "name_ja", "name_en", "definition", "unit", "direction", "kind", "phase",
           "cadence", "aggregation", "data_source", "lever")


@company_view("admin")
def kpi_create_view(request):
    """GET may prefill the form (e.g. "create a KPI from this theme"); nothing is saved."""
    initial = {k: request.GET[k][:2000] for k in PREFILL if k in request.GET}
    form = KpiForm(request.POST or None, company=request.company, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            kpi_create(company=request.company, user=request.user,
                       code=form.cleaned_data["code"], **_fields(form))
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("KPI created."))
            return redirect("kgi-tree", request.company.slug)
    return render_page(request, "metrics/kpi_form.html", {"form": form, "kpi": None})


@company_view("admin")
def kpi_edit_view(request, code):
    kpi = get_object_or_404(Kpi, company=request.company, code=code)
    form = KpiForm(request.POST or None, instance=kpi, company=request.company)
    if request.method == "POST" and form.is_valid():
        try:
            kpi_update(kpi=Kpi.objects.get(pk=kpi.pk), user=request.user, **_fields(form))
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("KPI saved."))
            return redirect("kgi-tree", request.company.slug)
    return render_page(request, "metrics/kpi_form.html", {"form": form, "kpi": kpi})


def _attach(form, exc):
    """Put a service error on its field when the form has that field, else on the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)

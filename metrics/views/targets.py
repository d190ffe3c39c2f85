"""Set a KPI's target from its page or from a tree node (the rules live in metrics.targets)."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.formatting import format_value
from metrics.forms import TargetForm
from metrics.models import Kpi
from metrics.targets import TargetRefused, can_set_targets, target_set
from metrics.views.kpi import render_kpi_page
from teams.idempotency import once_per_form
from teams.tenancy import company_view


@require_POST
@company_view("view")
@once_per_form
def kpi_target_set(request, code):
    """POST period, kind, value, reason: store the target (history kept), or say why not."""
    kpi = get_object_or_404(Kpi.objects.select_related("team"), company=request.company,
                            code=code)
    if not can_set_targets(request.membership, kpi):
        raise PermissionDenied
    back = "kgi-tree" if request.POST.get("next") == "tree" else "kpi-detail"
    form = TargetForm(request.POST)
    if form.is_valid():
        try:
            target = target_set(kpi=kpi, period=form.cleaned_data["period"],
                                value=form.cleaned_data["value"], user=request.user,
                                reason=form.cleaned_data["reason"],
                                kind=form.cleaned_data["kind"])
        except TargetRefused as refused:
            form.add_error("value" if refused.code not in ("outside_window", "bad_period")
                           else "period", str(refused.message))
        else:
            messages.success(request, _("Target for %(kpi)s from %(period)s: %(value)s.") % {
                "kpi": kpi.name, "period": target.period_start.isoformat(),
                "value": format_value(target.value, kpi.unit)})
            return _back(request, back, kpi)
    if back == "kgi-tree":
        for errors in form.errors.values():
            messages.error(request, f"{kpi.name}: {' '.join(errors)}")
        return _back(request, back, kpi)
    return render_kpi_page(request, code, target_form=form, status=422)


def _back(request, name, kpi):
    if name == "kgi-tree":
        return redirect("kgi-tree", request.company.slug)
    return redirect("kpi-detail", request.company.slug, kpi.code)

"""Phase a yearly target into months: the form, the monthly series to review, save."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.calendar import add_months, month_start
from core.htmx import render_page
from metrics.forms import PhasingForm
from metrics.models import Kpi
from metrics.phasing import phasing_apply, phasing_preview
from metrics.targets import TargetRefused, TargetsRefused, can_set_targets
from teams.tenancy import company_view


@require_http_methods(["GET", "POST"])
@company_view("view")
def kpi_target_phase(request, code):
    """GET with the form's fields: the monthly series (nothing saved); POST + fp: save it."""
    kpi = get_object_or_404(Kpi.objects.select_related("team", "company"),
                            company=request.company, code=code)
    if not can_set_targets(request.membership, kpi):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else request.GET
    bound = "total" in data
    next_month = add_months(month_start(timezone.localdate()), 1)
    form = PhasingForm(data if bound else None,
                       initial={"first": next_month.strftime("%Y-%m")})
    phasing, status = None, 200
    if bound and form.is_valid():
        fields = {"first": form.cleaned_data["first"], "total": form.cleaned_data["total"],
                  "rule": form.cleaned_data["rule"], "ramp": form.cleaned_data["ramp"]}
        try:
            if request.method == "POST":
                saved = phasing_apply(kpi=kpi, expected=data.get("fp", ""),
                                      user=request.user, **fields)
                messages.success(request, _("%(n)s monthly targets saved for %(kpi)s.") % {
                    "n": len(saved.months), "kpi": kpi.name})
                return redirect("kpi-detail", request.company.slug, kpi.code)
            phasing = phasing_preview(kpi, **fields)
        except TargetRefused as refused:
            form.add_error("ramp" if refused.code == "bad_ramp" else
                           "rule" if refused.code in ("no_profile", "zero_profile") else
                           "total", str(refused.message))
            status = 422
        except TargetsRefused as refused:
            form.add_error(None, " ".join(refused.messages))
            status = 422
    elif bound:
        status = 422
    return render_page(request, "metrics/target_phasing.html",
                       {"kpi": kpi, "form": form, "phasing": phasing}, status=status)

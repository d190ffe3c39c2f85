"""The KGI tree page and the focus toggle."""
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from core.htmx import render_page
from metrics.models import Kpi
from metrics.services import kpi_set_focus
from metrics.targets import can_set_targets
from metrics.tree.plan import fingerprint
from metrics.tree.selectors import build_tree, sensitivity_chart
from teams.permissions import can
from teams.tenancy import company_view, require

TEMPLATE = "metrics/tree.html"


@company_view("view")
def kgi_tree(request):
    tree = build_tree(request.company, seek_code=request.GET.get("seek") or None)
    for kpi in tree.kpis.values():
        kpi.can_focus = kpi.team_id is not None and can(request.membership, "manage_team",
                                                        team=kpi.team)
        kpi.can_plan = can_set_targets(request.membership, kpi)
    context = {
        "tree": tree,
        "chart": sensitivity_chart(tree.sensitivity),
        "chart_height": 60 + 30 * len(tree.sensitivity),
        "seek_code": request.GET.get("seek", ""),
        "is_admin": can(request.membership, "admin"),
        "this_month": timezone.localdate().replace(day=1),
        "can_plan": can(request.membership, "plan"),
        "seek_fp": _seek_fingerprint(tree),
    }
    return render_page(request, TEMPLATE, context, partial="consistency")


def _seek_fingerprint(tree):
    """The fingerprint the "apply" button carries for the previewed goal-seek value."""
    seek = (tree.consistency or {}).get("seek")
    if not seek or seek.get("value") is None:
        return ""
    return fingerprint({seek["kpi"].code: float(Decimal(str(seek["value"])))})


@company_view("view")
def kpi_focus(request, code):
    """POST state=active|monitoring; a refusal is shown in place (htmx) or as a message."""
    kpi = get_object_or_404(Kpi.objects.select_related("team"), company=request.company,
                            code=code)
    if kpi.team is None:
        require(request, "admin")
    else:
        require(request, "manage_team", kpi.team)
    if request.method != "POST":
        return redirect("kgi-tree", request.company.slug)
    message = None
    try:
        kpi = kpi_set_focus(kpi=kpi, state=request.POST.get("state", ""), user=request.user)
    except ValidationError as refused:  # FocusRefused, or an unknown state
        message = refused.messages[0]
    if not request.htmx:
        if message:
            messages.error(request, message)
        return redirect("kgi-tree", request.company.slug)
    kpi.can_focus = True
    return render_page(request, "metrics/_tree_node.html",
                       {"kpi": kpi, "focus_message": message}, partial="focus")

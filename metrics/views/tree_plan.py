"""Apply the tree's answers as targets: the goal seek (one click) and the cascade (reviewed)."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.formatting import format_value
from core.htmx import render_page
from metrics.tree.apply import cascade_apply, cascade_preview, goal_seek_apply
from metrics.tree.plan import RULE_EQUAL, RULES, CascadeRefused
from teams.tenancy import company_view


@require_POST
@company_view("plan")
def tree_seek_apply(request):
    """POST seek=<code>, fp=<fingerprint of the previewed value>: store it for this month."""
    code = request.POST.get("seek", "")
    try:
        change = goal_seek_apply(company=request.company, code=code,
                                 expected=request.POST.get("fp", ""), user=request.user)
    except ValidationError as refused:  # TargetRefused, TargetsRefused
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, _("%(kpi)s: this month's target is now %(value)s.") % {
            "kpi": change.kpi.name, "value": format_value(change.new, change.kpi.unit)})
    return redirect("kgi-tree", request.company.slug)


@company_view("plan")
def tree_cascade(request):
    """GET ?node=&fixed=…: the proposal to review; POST (same fields + fp): apply it."""
    params = request.POST if request.method == "POST" else request.GET
    node = params.get("node", "")
    fixed = set(params.getlist("fixed"))
    rule = params.get("rule", RULE_EQUAL)
    rule = rule if rule in RULES else RULE_EQUAL
    context = {"node": node, "fixed": fixed, "error": "", "changes": [], "tree": None,
               "rule": rule}
    if request.method == "POST":
        try:
            changes = cascade_apply(company=request.company, node=node, fixed=fixed,
                                    expected=params.get("fp", ""), user=request.user,
                                    rule=rule)
        except CascadeRefused as refused:
            context["error"] = refused.message
        except ValidationError as refused:
            context["error"] = " ".join(refused.messages)
        else:
            messages.success(request, _("Cascade applied: %(n)s targets for this month.")
                             % {"n": len(changes)})
            return redirect("kgi-tree", request.company.slug)
    try:
        tree, changes, digest = cascade_preview(request.company, node, fixed, rule)
    except CascadeRefused as refused:
        context["error"] = context["error"] or refused.message
        return render_page(request, "metrics/tree_cascade.html", context, status=422)
    context.update(tree=tree, changes=changes, fp=digest, kpi=tree.kpis[node],
                   fixed_rows=[tree.kpis[c] for c in sorted(fixed) if c in tree.kpis])
    return render_page(request, "metrics/tree_cascade.html", context)

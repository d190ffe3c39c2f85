"""The tree draft assistant: propose a KPI tree from the active KGI's text, review it, accept it."""
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.htmx import render_page
from metrics.assist import AssistError, external_configured, get_provider
from metrics.catalog.templates import TEMPLATES
from metrics.selectors import active_kgi
from metrics.tree.draft import (
    tree_draft_accept,
    tree_draft_plan,
    tree_draft_request,
    tree_draft_reuse,
    tree_draft_sign,
    tree_draft_unsign,
)
from metrics.tree.draft_edit import field_name, tree_draft_edit
from teams.tenancy import company_view

TEMPLATE = "metrics/tree_assist.html"


class DraftAcceptForm(forms.Form):
    draft = forms.CharField(widget=forms.HiddenInput)
    team = forms.ModelChoiceField(label=_("Owner team for the new KPIs"), queryset=None,
                                  required=False)

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        from teams.models import Team

        self.fields["team"].queryset = Team.objects.filter(company=company).order_by("name")


def _phase_owners(company) -> dict:
    """The team that owns most of the company's KPIs of each phase: a new KPI's default owner."""
    from collections import Counter

    from metrics.models import Kpi

    counts = Counter(Kpi.objects.filter(company=company, team__isnull=False)
                     .values_list("phase", "team_id"))
    owners = {}
    for (phase, team_id), _n in counts.most_common():
        owners.setdefault(phase, team_id)
    return owners


def _edit_rows(company, plan, data=None):
    """The review table's rows, each with the values its inputs show (posted ones after an error)."""
    owners = _phase_owners(company) if data is None else {}
    rows = []
    for row in plan.rows:
        values = {}
        if row.is_new and row.spec is not None:
            code = row.code
            if data is None:
                values = {"keep": True, "name_ja": row.spec.name_ja, "name_en": row.spec.name_en,
                          "formula": row.spec.formula,
                          "team": str(owners.get(row.spec.phase, ""))}
            else:
                values = {"keep": bool(data.get(field_name("keep", code))),
                          **{k: data.get(field_name(k, code), "")
                             for k in ("name_ja", "name_en", "formula", "team")}}
        rows.append((row, values))
    return rows


def _review(request, context, draft, data=None):
    """Put the draft's plan, its editable rows and the signed draft into ``context``."""
    from teams.models import Team

    plan = tree_draft_plan(company=request.company, draft=draft)
    context["plan"] = plan
    context["rows"] = _edit_rows(request.company, plan, data)
    context["root_formula"] = plan.rows[0].formula if data is None else data.get(
        "root_formula", plan.rows[0].formula)
    context["teams"] = Team.objects.filter(company=request.company).order_by("name")
    context["form"] = DraftAcceptForm(
        company=request.company,
        initial={"draft": tree_draft_sign(company=request.company, draft=draft)})
    return context


def _context(request, **extra):
    from django.conf import settings

    return {"kgi": active_kgi(request.company), "templates": TEMPLATES.values(),
            "external": external_configured(), "model": settings.ASSIST_MODEL, **extra}


@company_view("admin")
def tree_assist(request):
    """GET: the KGI's text and a button; POST: ask the provider and show the draft for review."""
    context = _context(request)
    if request.method != "POST" or context["kgi"] is None:
        return render_page(request, TEMPLATE, context)
    provider = get_provider(request.POST.get("provider"),
                            template=request.POST.get("template") or None)
    context["provider"] = provider.key
    try:
        answer = provider.tree_draft(tree_draft_request(company=request.company))
        if answer.draft is not None:
            _review(request, context,
                    tree_draft_reuse(company=request.company, draft=answer.draft))
    except AssistError as exc:
        context["error"] = exc.message
    except ValidationError as exc:
        context["error"] = " ".join(exc.messages)
    else:
        context["answer"] = answer
        context["matched_template"] = TEMPLATES.get(answer.source)
    return render_page(request, TEMPLATE, context)


@company_view("admin")
def tree_assist_accept(request):
    """POST the reviewed (signed) draft: everything is created, or nothing and the reason."""
    if request.method != "POST":
        return redirect("tree-assist", request.company.slug)
    form = DraftAcceptForm(request.POST, company=request.company)
    error, draft = None, None
    if not form.is_valid():
        error = " ".join(m for errors in form.errors.values() for m in errors)
    else:
        try:
            draft = tree_draft_unsign(company=request.company, signed=form.cleaned_data["draft"])
            edited, owners = draft, {}
            if request.POST.get("edited"):
                edited, owners = tree_draft_edit(company=request.company, draft=draft,
                                                 data=request.POST)
            created = tree_draft_accept(company=request.company, draft=edited,
                                        team=form.cleaned_data["team"], user=request.user,
                                        teams=owners)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if error:
        context = _context(request, error=error)
        if draft is not None and request.POST.get("edited"):
            try:  # show the review again with the reviewer's edits, so nothing is lost
                _review(request, context, draft, data=request.POST)
                context["edited_error"] = True
            except ValidationError:
                pass
        return render_page(request, TEMPLATE, context)
    messages.success(request, ngettext("The draft was accepted: %(count)s KPI created.",
                                       "The draft was accepted: %(count)s KPIs created.",
                                       len(created)) % {"count": len(created)})
    return redirect("kgi-tree", request.company.slug)

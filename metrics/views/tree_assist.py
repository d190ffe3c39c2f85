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
    tree_draft_sign,
    tree_draft_unsign,
)
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
            context["plan"] = tree_draft_plan(company=request.company, draft=answer.draft)
            context["form"] = DraftAcceptForm(
                company=request.company,
                initial={"draft": tree_draft_sign(company=request.company, draft=answer.draft)})
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
    error = None
    if not form.is_valid():
        error = " ".join(m for errors in form.errors.values() for m in errors)
    else:
        try:
            draft = tree_draft_unsign(company=request.company, signed=form.cleaned_data["draft"])
            created = tree_draft_accept(company=request.company, draft=draft,
                                        team=form.cleaned_data["team"], user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if error:
        return render_page(request, TEMPLATE, _context(request, error=error))
    messages.success(request, ngettext("The draft was accepted: %(count)s KPI created.",
                                       "The draft was accepted: %(count)s KPIs created.",
                                       len(created)) % {"count": len(created)})
    return redirect("kgi-tree", request.company.slug)

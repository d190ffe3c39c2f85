"""Industry templates: pick one, copy it into the company in one action."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from core.htmx import render_page
from metrics.catalog.services import template_instantiate
from metrics.catalog.templates import TEMPLATES
from metrics.forms import TemplateChoiceForm
from teams.tenancy import company_view


@company_view("admin")
def kgi_templates(request):
    form = TemplateChoiceForm(request.POST or None, company=request.company)
    if request.method == "POST" and form.is_valid():
        try:
            kgi = template_instantiate(company=request.company, key=form.cleaned_data["template"],
                                       team=form.cleaned_data["team"], user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, kgi.name)
            return redirect("kgi-tree", request.company.slug)
    return render_page(request, "metrics/kgi_templates.html",
                       {"form": form, "templates": TEMPLATES.values()})

"""Industry templates: pick one, copy it into the company in one action."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from core.htmx import render_page
from metrics.catalog.services import template_instantiate
from metrics.catalog.templates import TEMPLATES
from metrics.forms import TemplateChoiceForm
from metrics.models import Kgi, KgiStatus
from teams.tenancy import company_view


@company_view("admin")
def kgi_templates(request):
    form = TemplateChoiceForm(request.POST or None, company=request.company)
    if request.method == "POST" and form.is_valid():
        try:
            result = template_instantiate(
                company=request.company, key=form.cleaned_data["template"],
                team=form.cleaned_data["team"], user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if result.kgi_kept:
                messages.warning(request, _(
                    "Your KGI “%(kgi)s” was kept: the template added its KPIs and targets but "
                    "not its own KGI. Link your KGI to one of the new KPIs on the KGI page.")
                    % {"kgi": result.kgi.name})
            else:
                messages.success(request, _("KGI “%(kgi)s” and its KPI tree were created.")
                                 % {"kgi": result.kgi.name})
            return redirect("kgi-tree", request.company.slug)
    own_kgi = (Kgi.objects.filter(company=request.company).exclude(status=KgiStatus.ARCHIVED)
               .order_by("status", "-created_at").first())
    return render_page(request, "metrics/kgi_templates.html",
                       {"form": form, "templates": TEMPLATES.values(), "own_kgi": own_kgi})

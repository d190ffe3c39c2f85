"""Campaigns: known causes (sales, launches) drawn as bands and excused from anomaly alerts."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.htmx import render_page
from metrics.forms_numbers import CampaignForm
from metrics.models import Campaign, Kpi
from teams.permissions import can, can_manage_kpi
from teams.tenancy import company_view


def _manageable_kpis(membership):
    kpis = Kpi.objects.filter(company=membership.company).order_by("code")
    return [k.pk for k in kpis if can_manage_kpi(membership, k)]


def _campaign(request, campaign_id):
    """The campaign, if the user runs the teams of all its KPIs (a campaign silences
    anomaly alerts on them, so another team's manager may not change it)."""
    campaign = get_object_or_404(Campaign.objects.prefetch_related("kpis"),
                                 company=request.company, pk=campaign_id)
    if not all(can_manage_kpi(request.membership, k) for k in campaign.kpis.all()):
        raise PermissionDenied
    return campaign


@company_view("view")
def campaign_list(request):
    campaigns = list(Campaign.objects.filter(company=request.company).prefetch_related("kpis"))
    for campaign in campaigns:
        campaign.may_edit = all(can_manage_kpi(request.membership, k)
                                for k in campaign.kpis.all()) and can(request.membership,
                                                                      "manage_team")
    return render_page(request, "metrics/campaign_list.html", {"campaigns": campaigns})


def _edit(request, campaign=None):
    form = CampaignForm(request.POST or None, instance=campaign, company=request.company,
                        kpi_ids=_manageable_kpis(request.membership))
    if request.method == "POST" and form.is_valid():
        campaign = form.save(commit=False)
        campaign.company = request.company
        campaign.save()
        form.save_m2m()
        messages.success(request, _("Campaign saved."))
        return redirect("campaign-list", request.company.slug)
    return render_page(request, "metrics/campaign_form.html",
                       {"form": form, "campaign": campaign})


@company_view("manage_team")
def campaign_create(request):
    return _edit(request)


@company_view("manage_team")
def campaign_update(request, campaign_id):
    return _edit(request, _campaign(request, campaign_id))


@require_POST
@company_view("manage_team")
def campaign_delete(request, campaign_id):
    _campaign(request, campaign_id).delete()
    messages.success(request, _("Campaign deleted."))
    return redirect("campaign-list", request.company.slug)

"""Campaigns: known causes (sales, launches) drawn as bands and excused from anomaly alerts."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.htmx import render_page
from metrics.forms_numbers import CampaignForm
from metrics.models import Campaign
from teams.permissions import can_manage_kpi
from teams.tenancy import company_view


def _may_change(membership, campaign):
    """A campaign is changed only by someone who manages every KPI it is drawn on."""
    return all(can_manage_kpi(membership, kpi) for kpi in campaign.kpis.all())


def _managed_campaign(request, campaign_id):
    campaign = get_object_or_404(Campaign, company=request.company, pk=campaign_id)
    if not _may_change(request.membership, campaign):
        raise PermissionDenied
    return campaign


@company_view("view")
def campaign_list(request):
    campaigns = list(Campaign.objects.filter(company=request.company).prefetch_related("kpis"))
    for campaign in campaigns:
        campaign.may_change = _may_change(request.membership, campaign)
    return render_page(request, "metrics/campaign_list.html", {"campaigns": campaigns})


def _edit(request, campaign=None):
    form = CampaignForm(request.POST or None, instance=campaign, company=request.company,
                        membership=request.membership)
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
    return _edit(request, _managed_campaign(request, campaign_id))


@require_POST
@company_view("manage_team")
def campaign_delete(request, campaign_id):
    _managed_campaign(request, campaign_id).delete()
    messages.success(request, _("Campaign deleted."))
    return redirect("campaign-list", request.company.slug)

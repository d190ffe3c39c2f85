"""The numbered first-run path on a new company's dashboard: what is done, what is next.

teams → KGI → targets → numbers → people → first reforecast. Each step is read from the
data (a few EXISTS queries, live: memberships and invitations are not under the data
token) and links to the page that does it.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from metrics.models import Kgi, KgiStatus, Kpi, Measurement, Target
from reviews.models import Reforecast, ReforecastStatus
from teams.models import Invitation, Membership, Team


@dataclass
class Step:
    number: int
    title: str
    done: bool
    detail: str
    url: str
    action: str


def first_run_steps(company) -> list[Step]:
    """The six steps for this company, in order, each done or not."""
    slug = company.slug

    def url(name, anchor=""):
        return reverse(name, kwargs={"company": slug}) + anchor

    has_team = Team.objects.filter(company=company).exists()
    has_kgi = Kgi.objects.filter(company=company, status=KgiStatus.ACTIVE).exists()
    has_kpi = Kpi.objects.filter(company=company).exists()
    has_targets = Target.objects.filter(kpi__company=company).exists()
    has_numbers = Measurement.objects.filter(company=company).exists()
    has_people = (Membership.objects.filter(company=company).count() > 1
                  or Invitation.objects.filter(company=company).exists())
    has_reforecast = Reforecast.objects.filter(company=company,
                                               status=ReforecastStatus.DONE).exists()
    return [
        Step(1, _("Create your teams"), has_team,
             _("Weekly reviews, KPIs and numbers belong to teams."),
             url("company-settings", "#teams"), _("Create a team")),
        Step(2, _("Set the KGI, the one final goal"), has_kgi,
             _("Start from an industry template or write your own; a draft can wait for "
               "its KPI.") if not has_kpi else _("Link the KGI to the KPI that measures it "
                                                 "and activate it."),
             url("kgi-templates") if not has_kpi else url("kgi-edit"),
             _("Choose a template") if not has_kpi else _("Open the KGI")),
        Step(3, _("Set targets for the KPIs"), has_targets,
             _("Targets say what “on track” means for each KPI."),
             url("kgi-tree"), _("Open the KPI tree")),
        Step(4, _("Enter or import the numbers"), has_numbers,
             _("Import at least 12 weeks of history so forecasts have something to learn "
               "from."),
             url("import-upload"), _("Import numbers")),
        Step(5, _("Invite your colleagues"), has_people,
             _("Invite managers and members with their role."),
             url("company-settings", "#invite"), _("Invite people")),
        Step(6, _("Run the first reforecast"), has_reforecast,
             _("The reforecast computes the probability of reaching the KGI from the "
               "numbers."),
             url("reforecast-latest"), _("Open the reforecasts")),
    ]

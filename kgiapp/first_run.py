"""The numbered first-run path on a new company's dashboard: what is done, what is next.

teams → KGI → targets → numbers → people → first reforecast. Each step is read from the
data (one query, cached with the dashboard under the data token) and links to the page
that does it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.calendar import month_start
from kgiapp.navigation import company_url
from metrics.analytics.readiness import readiness_needs, reforecast_readiness
from metrics.models import Kgi, KgiStatus, Kpi, Measurement, Target
from reviews.models import Reforecast, ReforecastStatus
from teams.models import Company, Invitation, Membership, Team


@dataclass
class Step:
    number: int
    title: str
    done: bool
    detail: str
    url: str
    action: str
    # (text, url, link label): what is still missing, each with the page that fixes it.
    needs: list = field(default_factory=list)
    # A second link (the numbers step's spreadsheet template).
    extra_url: str = ""
    extra_action: str = ""


def first_run_facts(company) -> dict:
    """What the steps read, in one query; every table is under the data token, so this is
    cached with the dashboard."""
    members = (Membership.objects.filter(company=OuterRef("pk")).values("company")
               .annotate(n=Count("pk")).values("n")[:1])
    facts = Company.objects.filter(pk=company.pk).annotate(
        team=Exists(Team.objects.filter(company=OuterRef("pk"))),
        kgi=Exists(Kgi.objects.filter(company=OuterRef("pk"), status=KgiStatus.ACTIVE)),
        kpi=Exists(Kpi.objects.filter(company=OuterRef("pk"))),
        targets=Exists(Target.objects.filter(kpi__company=OuterRef("pk"))),
        numbers=Exists(Measurement.objects.filter(company=OuterRef("pk"))),
        invited=Exists(Invitation.objects.filter(company=OuterRef("pk"),
                                                 revoked_at__isnull=True)),
        members=Subquery(members),
        reforecast=Exists(Reforecast.objects.filter(company=OuterRef("pk"),
                                                    status=ReforecastStatus.DONE)),
    ).values("team", "kgi", "kpi", "targets", "numbers", "invited", "members",
             "reforecast").get()
    # Someone besides the first admin is in the company, or was invited.
    facts["people"] = facts.pop("invited") or (facts.pop("members") or 0) > 1
    facts["readiness"] = None
    if facts["kgi"] and not facts["reforecast"]:
        facts["readiness"] = _readiness_facts(company)
    return facts


def _readiness_facts(company) -> dict:
    """What the first reforecast still lacks, as plain values (cached with the dashboard)."""
    return reforecast_readiness(company, as_of=month_start(timezone.localdate())).as_facts()


def first_run_steps(company, facts=None) -> list[Step] | None:
    """The six steps for this company, in order, each done or not; None once all are."""
    slug = company.slug
    facts = facts if facts is not None else first_run_facts(company)
    readiness = facts.get("readiness")
    if all(v for k, v in facts.items() if k != "readiness"):
        return None

    def url(name, anchor=""):
        return company_url(name, slug) + anchor

    has_team, has_kgi, has_kpi = facts["team"], facts["kgi"], facts["kpi"]
    has_targets, has_numbers, has_reforecast = (facts["targets"], facts["numbers"],
                                                facts["reforecast"])
    has_people = facts["people"]
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
             url("import-upload"), _("Import numbers"),
             extra_url=url("numbers-template"),
             extra_action=_("Download the spreadsheet template")),
        Step(5, _("Invite your colleagues"), has_people,
             _("Invite managers and members with their role."),
             url("company-settings", "#invite"), _("Invite people")),
        _reforecast_step(slug, has_reforecast, readiness, url("reforecast-latest")),
    ]


def _reforecast_step(slug, done, readiness, page_url) -> Step:
    """Offered once the numbers allow it; until then, what is missing and where to fix it."""
    title = _("Run the first reforecast")
    if done or readiness is None:
        return Step(6, title, done, _("The reforecast computes the probability of reaching "
                                      "the KGI from the numbers."),
                    page_url, _("Open the reforecasts"))
    if readiness["problem"]:
        return Step(6, title, False, readiness["problem"],
                    reverse("kgi-edit", kwargs={"company": slug}), _("Open the KGI"))
    needs = readiness_needs(slug, readiness)
    if needs:
        return Step(6, title, False, _("Not yet: these KPIs of the KGI's tree need more "
                                       "history first."),
                    reverse("import-upload", kwargs={"company": slug}), _("Import numbers"),
                    needs=needs)
    return Step(6, title, False, _("The numbers are enough: compute the probability of "
                                   "reaching the KGI now."),
                page_url, _("Run the first reforecast"))

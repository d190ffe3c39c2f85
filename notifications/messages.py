"""What each notification says. Every builder runs inside the recipient's language."""
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from notifications.services import Message


def _kpi_name(kpi) -> str:
    from django.utils.translation import get_language

    return kpi.name_ja if (get_language() or "ja").startswith("ja") else kpi.name_en


def _day(day) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def numbers_missing(*, stage: str, team, kpis_with_periods, recipient_is_manager=False):
    """The first reminder, the second one, or the manager's escalation."""
    values = {"team": team.name}
    if stage == "escalation":
        subject = _("Numbers still missing in %(team)s") % values
        first = _("These KPIs of %(team)s still have no value after two reminders.") % values
    elif stage == "reminder":
        subject = _("Reminder: numbers due for %(team)s") % values
        first = _("These KPIs of %(team)s still have no value for their last period.") % values
    else:
        subject = _("Numbers due for %(team)s") % values
        first = _("Please enter the latest values of these KPIs of %(team)s.") % values
    items = [_("%(kpi)s (period from %(day)s)") % {"kpi": _kpi_name(kpi), "day": _day(period)}
             for kpi, period in kpis_with_periods]
    return Message(
        subject=subject, lines=[first],
        sections=[{"title": _("Missing numbers"), "items": items}],
        link_path=reverse("numbers-grid", kwargs={"company": team.company.slug,
                                                  "team": team.slug}),
        link_label=_("Enter the numbers"))


def review_due(*, team, review_label):
    values = {"team": team.name, "week": review_label}
    return Message(
        subject=_("The weekly review of %(team)s is not closed") % values,
        lines=[_("The review of %(team)s for %(week)s is still open. Close it with its "
                 "decisions, or say why none is needed.") % values],
        link_path=reverse("review-detail", kwargs={"company": team.company.slug,
                                                   "team": team.slug, "week": review_label}),
        link_label=_("Open the review"))


def task(*, stage: str, task, company):
    values = {"task": task.title, "day": _day(task.due_date), "team": task.team.name,
              "owner": task.owner.get_full_name() or task.owner.get_username()}
    if stage == "tomorrow":
        subject = _("Due tomorrow: %(task)s") % values
        line = _("Your task “%(task)s” is due tomorrow (%(day)s).") % values
        path = reverse("my-tasks", kwargs={"company": company.slug})
    elif stage == "overdue":
        subject = _("Overdue: %(task)s") % values
        line = _("Your task “%(task)s” was due on %(day)s. Mark it done, or drop it with "
                 "a reason.") % values
        path = reverse("my-tasks", kwargs={"company": company.slug})
    else:
        subject = _("Overdue for a week: %(task)s") % values
        line = _("“%(task)s” of %(owner)s (%(team)s) was due on %(day)s and is still "
                 "open.") % values
        path = reverse("team-detail", kwargs={"company": company.slug,
                                              "team": task.team.slug})
    return Message(subject=subject, lines=[line], link_path=path,
                   link_label=_("Open the tasks"))


def anomaly(*, anomaly, kpi):
    above = anomaly.value > anomaly.expected
    values = {"kpi": _kpi_name(kpi), "day": _day(anomaly.period_start),
              "value": f"{anomaly.value:,.4g}",
              "low": f"{anomaly.expected_low:,.4g}", "high": f"{anomaly.expected_high:,.4g}"}
    line = (_("%(kpi)s was %(value)s for the period from %(day)s, above the expected range "
              "%(low)s – %(high)s.") if above else
            _("%(kpi)s was %(value)s for the period from %(day)s, below the expected range "
              "%(low)s – %(high)s.")) % values
    return Message(
        subject=_("Unusual change: %(kpi)s") % values, lines=[line],
        link_path=reverse("kpi-detail", kwargs={"company": kpi.company.slug, "code": kpi.code}),
        link_label=_("Open the KPI"))


def reforecast_report(*, row, company, month_label):
    values = {"month": month_label, "company": company.name,
              "chance": f"{100 * row.probability:.0f}%"}
    return Message(
        subject=_("Monthly reforecast for %(month)s: %(chance)s") % values,
        lines=[_("The %(month)s reforecast of %(company)s is ready: %(chance)s chance of "
                 "reaching the KGI by the deadline. The report is attached as a PDF.") % values],
        link_path=reverse("reforecast-detail", kwargs={"company": company.slug,
                                                       "month": row.month_key}),
        link_label=_("Open the report"), attach={"reforecast_id": row.pk})


def checkin_due(*, key_result, objective):
    values = {"kr": key_result.title, "objective": objective.title}
    return Message(
        subject=_("Check-in due: %(kr)s") % values,
        lines=[_("How is “%(kr)s” (objective: %(objective)s) going? Give this week's "
                 "confidence from 0 to 10 and a word on why.") % values],
        link_path=reverse("okr-list", kwargs={"company": objective.company.slug,
                                              "team": objective.team.slug}),
        link_label=_("Check in"))


def source_failed(*, source, run):
    values = {"source": source.name}
    return Message(
        subject=_("Source failed: %(source)s") % values,
        lines=[_("The last run of the source %(source)s failed; nothing was written and the "
                 "numbers stay as they were.") % values, run.error],
        link_path=reverse("source-list", kwargs={"company": source.company.slug}),
        link_label=_("Open the sources"))

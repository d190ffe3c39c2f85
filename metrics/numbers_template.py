"""A spreadsheet to fill in: the KPIs a person may enter, one column each, and the periods of
the last twelve weeks or more at each KPI's cadence, in the layout the importer reads.

The first (active) sheet is the import layout itself: a ``period`` column, then one column
per KPI headed by its name (its code when the name is ambiguous), numbers already stored
filled in. Cells of periods that are not the KPI's (a weekly KPI on a month's first day)
are greyed and left empty, so the importer skips them. A second sheet lists each KPI's
code, name, unit and cadence.
"""
from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from core.calendar import local_today, month_start, period_grid, period_start
from metrics.analytics.outlook import OutlookUnavailable, active_kgi_with_tree
from metrics.models import Kpi, Measurement
from spreadsheets import KpiRef
from spreadsheets.headers import match_header
from teams.permissions import can_enter_numbers

HISTORY_DAYS = 84  # twelve weeks before this month, so a first reforecast has enough
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GREY = PatternFill("solid", fgColor="DDDDDD")
HEAD = PatternFill("solid", fgColor="E8F0FE")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_kpis(company, membership) -> list[Kpi]:
    """The measured (not computed) KPIs this member may enter: the KGI tree's leaves first."""
    kpis = [k for k in Kpi.objects.filter(company=company, formula="").select_related("team")
            .order_by("code") if can_enter_numbers(membership, k)]
    try:
        leaf_codes = active_kgi_with_tree(company)[3]
    except OutlookUnavailable:
        leaf_codes = []
    order = {code: i for i, code in enumerate(leaf_codes)}
    return sorted(kpis, key=lambda k: (order.get(k.code, len(order)), k.code))


def template_periods(today: date, cadence: str) -> list[date]:
    """Every period start of ``cadence`` from twelve weeks before this month to today's."""
    first = month_start(today) - timedelta(days=HISTORY_DAYS)
    return period_grid(period_start(first, cadence), period_start(today, cadence), cadence)


def _header(kpi: Kpi, refs: list[KpiRef]) -> str:
    """The KPI's name when the importer reads it back as this KPI, else its code."""
    name = kpi.name
    if name and not name.startswith(FORMULA_STARTS):
        found = match_header(name, refs)
        if found is not None and found.code == kpi.code:
            return name
    return kpi.code


def numbers_template(company, membership, *, today: date | None = None) -> bytes:
    """The workbook's bytes."""
    today = today or local_today(company.timezone)
    kpis = template_kpis(company, membership)
    refs = [KpiRef(k.code, k.name_ja, k.name_en) for k in
            Kpi.objects.filter(company=company).order_by("code")]
    periods = {k.pk: set(template_periods(today, k.cadence)) for k in kpis}
    rows = sorted(set().union(*periods.values())) if kpis else []
    stored = {}
    if rows:
        stored = {(kpi_id, day): value for kpi_id, day, value in Measurement.objects.filter(
            company=company, kpi__in=kpis, period_start__gte=rows[0],
            period_start__lte=rows[-1]).order_by().values_list("kpi_id", "period_start", "value")}

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("numbers")[:31]
    sheet.append(["period"] + [_header(k, refs) for k in kpis])
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 12
    for column, kpi in enumerate(kpis, start=2):
        cell = sheet.cell(row=1, column=column)
        cell.font, cell.fill = Font(bold=True), HEAD
        cell.comment = Comment(f"{kpi.code} · {kpi.name} · {kpi.get_unit_display()} · "
                               f"{kpi.get_cadence_display()}", "kgiapp")
        sheet.column_dimensions[cell.column_letter].width = max(12, min(30, len(str(cell.value)) * 2))
    sheet.cell(row=1, column=1).font = Font(bold=True)
    for row_number, day in enumerate(rows, start=2):
        cell = sheet.cell(row=row_number, column=1, value=day)
        cell.number_format = "yyyy-mm-dd"
        for column, kpi in enumerate(kpis, start=2):
            target = sheet.cell(row=row_number, column=column)
            if day not in periods[kpi.pk]:
                target.fill = GREY
                continue
            value = stored.get((kpi.pk, day))
            if value is not None:
                target.value = value
    _kpi_sheet(workbook.create_sheet(_("KPIs")[:31]), kpis)
    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _kpi_sheet(sheet, kpis):
    sheet.append([_("How to fill"), _("Type each KPI's number in the row of its period and "
                                      "import this file; grey cells are not the KPI's periods "
                                      "and stay empty. Percentages: 25 means 25 %.")])
    sheet.append([])
    sheet.append([_("Code"), _("Name"), _("Unit"), _("Cadence"), _("Team")])
    for row in sheet.iter_rows(min_row=3, max_row=3):
        for cell in row:
            cell.font = Font(bold=True)
    for kpi in kpis:
        sheet.append([kpi.code, _safe(kpi.name), kpi.get_unit_display(),
                      kpi.get_cadence_display(), _safe(kpi.team.name if kpi.team else "")])
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 30


def _safe(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text

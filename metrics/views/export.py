"""Export measurements to CSV (UTF-8 with BOM, for Excel) or XLSX, formulas neutralised."""
import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

from metrics.models import Kpi, Measurement
from metrics.numbers_template import numbers_template
from teams.tenancy import company_view

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADERS = ["kpi", "name", "period", "value", "unit", "source"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def escape_cell(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_cell(value):
    """A cell as CSV text: numbers in plain notation (44460, never 4.446E+4), text escaped."""
    if isinstance(value, Decimal):
        return format(value, "f")
    return escape_cell(value)


def _date(text):
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return False


def export_rows(company, codes, start, end):
    kpis = Kpi.objects.filter(company=company)
    if codes:
        kpis = kpis.filter(code__in=codes)
    rows = Measurement.objects.filter(company=company, kpi__in=kpis).select_related("kpi")
    if start:
        rows = rows.filter(period_start__gte=start)
    if end:
        rows = rows.filter(period_start__lte=end)
    for m in rows.order_by("kpi__code", "period_start").iterator(chunk_size=5000):
        yield [m.kpi.code, m.kpi.name_ja, m.period_start.isoformat(), m.value.normalize(),
               m.kpi.unit, m.source]


@company_view("view")
def measurement_export(request):
    codes = request.GET.getlist("kpi")
    start, end = _date(request.GET.get("from")), _date(request.GET.get("to"))
    fmt = request.GET.get("format", "csv")
    if start is False or end is False or fmt not in {"csv", "xlsx"}:
        return HttpResponseBadRequest(_("Use from/to as YYYY-MM-DD and format csv or xlsx."))
    rows = export_rows(request.company, codes, start, end)
    stem = f"{request.company.slug}-measurements"
    if fmt == "xlsx":
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("measurements")
        sheet.append(HEADERS)
        for row in rows:
            sheet.append([escape_cell(v) if isinstance(v, str) else float(v) for v in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
        return response
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode("utf-8"),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    return response


@company_view("contribute")
def numbers_template_download(request):
    """The spreadsheet to fill in and import: this person's KPIs × the last 12+ weeks."""
    data = numbers_template(request.company, request.membership)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="{request.company.slug}-numbers-template.xlsx"')
    return response

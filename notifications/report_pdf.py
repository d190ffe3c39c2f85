"""The monthly reforecast report as an A4 PDF (WeasyPrint), for the executives' email.

Same content as the report page, from the same presenter: headline, probability,
P10/P50/P90 against the target, the month's change, levers, risks, decisions, anomalies.
Charts are drawn by JavaScript on the page, so the PDF prints their numbers as tables.
Needs Pango and a Japanese font on the machine (.ci/run installs them).
"""
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import slugify

from reviews.models import Reforecast, ReforecastStatus
from reviews.reforecast.presenter import company_months, reforecast_report


def reforecast_pdf_bytes(row: Reforecast) -> bytes:
    from weasyprint import HTML  # imported here: only the sender of this email needs Pango

    report = reforecast_report(row, months=company_months(row.company))
    html = render_to_string("notifications/reforecast_report_pdf.html",
                            {"report": report, "row": row, "company": row.company,
                             "language": translation.get_language()})
    return HTML(string=html).write_pdf()


def reforecast_pdf(reforecast_id: int) -> tuple[str, bytes, str] | None:
    """(file name, bytes, MIME type) of a done snapshot's report, in the active language."""
    row = (Reforecast.objects.select_related("company")
           .filter(pk=reforecast_id, status=ReforecastStatus.DONE).first())
    if row is None:
        return None
    name = f"kgiapp-{slugify(row.company.slug)}-{row.month_key}.pdf"
    return name, reforecast_pdf_bytes(row), "application/pdf"

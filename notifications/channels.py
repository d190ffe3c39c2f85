"""How one outbox row leaves the building: email (SMTP), Slack or Microsoft Teams webhooks.

Each sender raises ``DeliveryError`` with a short reason when the other side refuses or
cannot be reached; the outbox then retries with backoff and finally marks the row failed.
"""
import smtplib

import httpx
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from metrics.sources.fetch import FetchError, check_url
from notifications import secrets
from notifications.models import Channel, CompanySchedule
from notifications.services import unsubscribe_url

WEBHOOK_TIMEOUT = 10.0


class DeliveryError(Exception):
    pass


def _context(row):
    return {"row": row, "payload": row.payload, "company": row.company,
            "unsubscribe_url": unsubscribe_url(row.recipient_id, row.kind)}


def email_message(row) -> EmailMultiAlternatives:
    """The email of one row: text and HTML, unsubscribe headers, the PDF when it has one."""
    with translation.override(row.language):
        context = _context(row)
        text = render_to_string("notifications/email/message.txt", context)
        html = render_to_string("notifications/email/message.html", context)
        attachment = None
        reforecast_id = (row.payload.get("attach") or {}).get("reforecast_id")
        if reforecast_id:
            from notifications.report_pdf import reforecast_pdf

            attachment = reforecast_pdf(reforecast_id)
    headers = {
        "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        # A stable id lets mail systems drop the copy of a retried send.
        "Message-ID": f"<notification-{row.pk}@{settings.NOTIFY_MESSAGE_DOMAIN}>",
    }
    message = EmailMultiAlternatives(row.subject, text, settings.DEFAULT_FROM_EMAIL,
                                     [row.recipient.email], headers=headers)
    message.attach_alternative(html, "text/html")
    if attachment:
        message.attach(*attachment)
    return message


def send_email(row):
    message = email_message(row)
    try:
        with get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT) as connection:
            connection.send_messages([message])
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"SMTP: {exc}"[:300]) from exc


def _webhook_url(row, channel):
    schedule = CompanySchedule.objects.filter(company_id=row.company_id).first()
    stored = ""
    if schedule is not None:
        stored = schedule.slack_webhook if channel == Channel.SLACK else schedule.teams_webhook
    url = secrets.decrypt(stored)
    if not url:
        raise DeliveryError("no webhook configured")
    return url


def _post(url, body):
    try:  # never to a private address (a webhook URL is typed by an admin)
        check_url(url)
    except FetchError as exc:
        raise DeliveryError(str(exc)[:300]) from exc
    try:
        response = httpx.post(url, json=body, timeout=WEBHOOK_TIMEOUT)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}"[:300]) from exc
    if response.status_code >= 300:
        raise DeliveryError(f"HTTP {response.status_code}: {response.text[:200]}")


def _mention(row):
    user = row.recipient
    return user.get_full_name() or user.get_username()


def send_slack(row):
    with translation.override(row.language):
        label = row.payload.get("link_label") or _("Open in kgiapp")
        text = (f"*{row.subject}* ({_mention(row)})\n"
                + "\n".join(row.payload.get("lines", [])) + f"\n<{row.link}|{label}>")
    _post(_webhook_url(row, Channel.SLACK), {"text": text})


def send_teams(row):
    with translation.override(row.language):
        label = row.payload.get("link_label") or _("Open in kgiapp")
        card = {
            "@type": "MessageCard", "@context": "https://schema.org/extensions",
            "summary": row.subject, "title": f"{row.subject} ({_mention(row)})",
            "text": "\n\n".join(row.payload.get("lines", [])),
            "potentialAction": [{"@type": "OpenUri", "name": label,
                                 "targets": [{"os": "default", "uri": row.link}]}],
        }
    _post(_webhook_url(row, Channel.TEAMS), card)


SENDERS = {Channel.EMAIL: send_email, Channel.SLACK: send_slack, Channel.TEAMS: send_teams}

"""Matrix rows for the notification centre, preferences, schedule and unsubscribe link."""
from tests.permissions.matrix import company_row, public_row

ROWS = {
    "notification-centre": company_row("view"),
    "notification-read-all": company_row("view", method="post"),
    "notification-preferences": company_row("view"),
    "notification-schedule": company_row("admin"),
    # Signed link from an email: no login; a forged token is 404 for everyone.
    "notification-unsubscribe": public_row(404, kwargs=lambda w: {"token": "not-signed"}),
}

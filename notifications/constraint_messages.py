"""Messages for this app's database constraints a user can hit (see core/integrity.py)."""
from django.utils.translation import gettext_lazy as _

from core.integrity_messages import NOT_NEGATIVE, SAVED_AT_SAME_TIME

_WEEKDAY = _("Choose a day of the week.")

MESSAGES = {
    "preference_one_per_kind": (None, SAVED_AT_SAME_TIME),
    "schedule_weekdays_valid": (None, _WEEKDAY),
    "notifications_companyschedule_numbers_weekday_check": ("numbers_weekday", _WEEKDAY),
    "notifications_companyschedule_review_weekday_check": ("review_weekday", _WEEKDAY),
    "notifications_companyschedule_reminder_after_hours_check": (
        "reminder_after_hours", NOT_NEGATIVE),
    "notifications_companyschedule_escalate_after_hours_check": (
        "escalate_after_hours", NOT_NEGATIVE),
}

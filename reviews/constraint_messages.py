"""Messages for this app's database constraints a user can hit (see core/integrity.py)."""
from django.utils.translation import gettext_lazy as _

from core.integrity_messages import SAVED_AT_SAME_TIME

MESSAGES = {
    "review_one_per_team_week": (None, SAVED_AT_SAME_TIME),
    "decision_one_per_request_key": (None, SAVED_AT_SAME_TIME),
    "task_dropped_has_reason": ("drop_reason", _("Say why the task is dropped.")),
    "task_one_open_per_customer": (None, _("This customer already has an open follow-up task.")),
    "reforecast_one_per_month": (None, SAVED_AT_SAME_TIME),
    "scenario_name_unique_per_month": (
        "name", _("This month already has a scenario with that name.")),
}

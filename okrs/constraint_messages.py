"""Messages for this app's database constraints a user can hit (see core/integrity.py)."""
from django.utils.translation import gettext_lazy as _

_CONFIDENCE = ("confidence", _("Confidence is a number from 0 to 10."))

MESSAGES = {
    "kr_weight_positive": ("weight", _("The weight must be above zero.")),
    "kr_metric_has_start": ("start", _("A metric key result needs a start value.")),
    "kr_final_score_0_1": (None, _("A score is between 0.0 and 1.0.")),
    "checkin_confidence_0_10": _CONFIDENCE,
    "okrs_checkin_confidence_check": _CONFIDENCE,
}

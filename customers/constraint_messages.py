"""Messages for this app's database constraints a user can hit (see core/integrity.py)."""
from django.utils.translation import gettext_lazy as _

from core.integrity_messages import NOT_NEGATIVE, SAVED_AT_SAME_TIME

_NPS = ("nps", _("NPS is a score from 0 to 10."))
_CSAT = ("csat", _("CSAT is a score from 1 to 5."))
_MRR = ("mrr", _("MRR cannot be negative."))

MESSAGES = {
    "customer_name_unique_in_company": (
        "name", _("Another customer of this company already has this name.")),
    "customer_external_id_unique_in_company": (
        "external_id", _("Another customer of this company already has this ID.")),
    "customer_nps_0_10": _NPS,
    "customers_customer_nps_check": _NPS,
    "customer_csat_1_5": _CSAT,
    "customers_customer_csat_check": _CSAT,
    "customer_mrr_not_negative": _MRR,
    "customer_mrr_history_positive": _MRR,
    "customer_churn_after_contract": (
        "churn_date", _("The churn date cannot be before the contract date.")),
    "customer_mrr_one_per_month": (None, SAVED_AT_SAME_TIME),
    "customers_csriskrules_team_id_key": (None, SAVED_AT_SAME_TIME),
    "customers_csriskrules_onboarding_days_check": ("onboarding_days", NOT_NEGATIVE),
    "customers_csriskrules_no_login_days_check": ("no_login_days", NOT_NEGATIVE),
    "customers_csriskrules_nps_max_check": ("nps_max", NOT_NEGATIVE),
    "customers_csriskrules_min_reasons_check": ("min_reasons", NOT_NEGATIVE),
}

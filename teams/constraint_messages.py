"""Messages for this app's database constraints a user can hit (see core/integrity.py)."""
from django.utils.translation import gettext_lazy as _

from core.integrity_messages import SAVED_AT_SAME_TIME

MESSAGES = {
    "teams_company_slug_key": ("slug", _("A company with this URL name already exists.")),
    "company_fiscal_month_1_12": ("fiscal_year_start_month", _("Choose a month from 1 to 12.")),
    "teams_company_fiscal_year_start_month_check": (
        "fiscal_year_start_month", _("Choose a month from 1 to 12.")),
    "company_week_start_mon_or_sun": ("week_start", _("A week starts on Monday or Sunday.")),
    "teams_company_week_start_check": ("week_start", _("A week starts on Monday or Sunday.")),
    "membership_one_per_user": (None, _("This person is already a member of the company.")),
    "team_name_unique_in_company": ("name", _("A team with this name already exists.")),
    "team_slug_unique_in_company": ("slug", _("A team with this URL name already exists.")),
    "team_membership_unique": (None, SAVED_AT_SAME_TIME),
}

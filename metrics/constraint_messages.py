"""Messages for this app's database constraints a user can hit (see core/integrity.py)."""
from django.utils.translation import gettext_lazy as _

from core.integrity_messages import SAVED_AT_SAME_TIME

MESSAGES = {
    "kpi_code_unique_in_company": ("code", _("This code is already used by another KPI.")),
    # The database trigger of migrations/0002 (a backstop behind services._check_focus_cap).
    "kpi_focus_cap": (None, _("This team already has seven focus KPIs. Move one of them to "
                              "monitoring first.")),
    "kgi_one_active_per_company": (None, _("Another KGI is active.")),
    "kgi_deadline_after_start": ("deadline", _("The deadline is not after the start.")),
    "target_one_current_per_kpi_period": (None, SAVED_AT_SAME_TIME),
    "measurement_one_per_period": (None, SAVED_AT_SAME_TIME),
    "campaign_end_after_start": ("end", _("The end must be on or after the start.")),
    "datasource_name_unique": ("name", _("A source with this name already exists.")),
}

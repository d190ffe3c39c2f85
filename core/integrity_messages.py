"""Messages shared by several apps' constraint_messages (see core/integrity.py)."""
from django.utils.translation import gettext_lazy as _

SAVED_AT_SAME_TIME = _("Someone else saved this at the same moment. Reload the page to see it.")
NOT_NEGATIVE = _("Enter zero or more.")

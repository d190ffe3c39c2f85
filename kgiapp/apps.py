from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KgiappConfig(AppConfig):
    name = "kgiapp"
    verbose_name = _("Company")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KgiappConfig(AppConfig):
    name = "kgiapp"
    verbose_name = _("Company")

    def ready(self):
        from kgiapp import catalog_check  # noqa: F401 - registers the compiled-catalog check

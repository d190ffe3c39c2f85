from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = _("KGI and KPIs")

    def import_models(self):
        super().import_models()
        # Models that live in a subpackage register here, so metrics.models need not
        # import them (metrics.sources imports metrics.models: no cycle).
        import_module("metrics.sources.models")
        import_module("metrics.facts.models")
        import_module("metrics.analytics.models")

    def ready(self):
        from django.db.models.signals import post_migrate

        from metrics.facts.triggers import sqlite_restore
        from metrics.focus_cap import sqlite_restore_focus_cap

        post_migrate.connect(sqlite_restore, sender=self, dispatch_uid="metrics-sqlite-triggers")
        post_migrate.connect(sqlite_restore_focus_cap, sender=self,
                             dispatch_uid="metrics-sqlite-focus-cap")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = _("Teams")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from teams.two_factor import on_login

        user_logged_in.connect(on_login, dispatch_uid="teams-two-factor-pending")

        from django.db.models.signals import post_migrate, pre_migrate

        from teams.dataversion import sqlite_legacy_rename, sqlite_restore_triggers

        pre_migrate.connect(sqlite_legacy_rename, dispatch_uid="teams-sqlite-legacy-rename")
        post_migrate.connect(sqlite_restore_triggers, sender=self,
                             dispatch_uid="teams-sqlite-restore-triggers")

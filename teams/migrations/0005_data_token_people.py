"""Data token triggers on memberships and invitations: the dashboard's first-run path
("invite your colleagues") is cached with the rest of the dashboard (teams.dataversion)."""
from django.db import migrations

from teams import dataversion

TRACKED = [("teams_membership", "company_id", None), ("teams_invitation", "company_id", None)]


def forward(apps, schema_editor):
    dataversion.install(schema_editor, TRACKED, company=False)


def backward(apps, schema_editor):
    dataversion.uninstall(schema_editor, TRACKED, company=False)


class Migration(migrations.Migration):
    dependencies = [("teams", "0004_company_week_start")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]

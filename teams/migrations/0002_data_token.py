"""Data token triggers: every company gets its token row, and team writes change it (teams.dataversion)."""
from django.db import migrations

from teams import dataversion

# Frozen here: a table tracked later gets its own migration (metrics and reviews have theirs).
TRACKED = [("teams_team", "company_id", None)]


def forward(apps, schema_editor):
    dataversion.install(schema_editor, TRACKED, company=True)


def backward(apps, schema_editor):
    dataversion.uninstall(schema_editor, TRACKED, company=True)


class Migration(migrations.Migration):
    dependencies = [("teams", "0001_initial")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]

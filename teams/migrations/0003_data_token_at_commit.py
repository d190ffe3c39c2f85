"""The data token changes at COMMIT, not at the first write (teams.dataversion).

A fresh database gets the commit-time triggers from the *_data_token migrations already;
this moves a database migrated before onto them, for every table it tracks.
"""
from django.db import migrations

from teams import dataversion


def forward(apps, schema_editor):
    dataversion.reinstall_pg(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("teams", "0002_data_token")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]

"""Data token triggers on the monthly reforecasts, which the dashboard shows (teams.dataversion)."""
from django.db import migrations

from teams import dataversion

TRACKED = [("reviews_reforecast", "company_id", None)]


def forward(apps, schema_editor):
    dataversion.install(schema_editor, TRACKED, company=False)


def backward(apps, schema_editor):
    dataversion.uninstall(schema_editor, TRACKED, company=False)


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial"), ("teams", "0002_data_token")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]

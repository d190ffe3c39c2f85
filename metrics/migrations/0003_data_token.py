"""Data token triggers on what the dashboard reads from this app (teams.dataversion)."""
from django.db import migrations

from teams import dataversion

# Frozen here: a table tracked later gets its own migration.
TRACKED = [
    ("metrics_measurement", "company_id", None),
    ("metrics_kpi", "company_id", None),
    ("metrics_kgi", "company_id", None),
    ("metrics_campaign", "company_id", None),
    ("metrics_target", "kpi_id", "metrics_kpi"),
    ("metrics_campaign_kpis", "kpi_id", "metrics_kpi"),
    ("metrics_anomaly", "company_id", None),
]


def forward(apps, schema_editor):
    dataversion.install(schema_editor, TRACKED, company=False)


def backward(apps, schema_editor):
    dataversion.uninstall(schema_editor, TRACKED, company=False)


class Migration(migrations.Migration):
    dependencies = [("metrics", "0002_kpi_focus_cap_trigger"), ("teams", "0002_data_token")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]

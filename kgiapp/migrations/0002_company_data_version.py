"""The company data token and the triggers that change it on every write (kgiapp.dataversion)."""
import django.db.models.deletion
from django.db import migrations, models

from kgiapp import dataversion

# Frozen here: a table tracked later gets its own migration.
TRACKED = [
    ("metrics_measurement", "company_id", None),
    ("metrics_kpi", "company_id", None),
    ("metrics_kgi", "company_id", None),
    ("teams_team", "company_id", None),
    ("metrics_campaign", "company_id", None),
    ("metrics_target", "kpi_id", "metrics_kpi"),
    ("metrics_campaign_kpis", "kpi_id", "metrics_kpi"),
    ("metrics_anomaly", "company_id", None),
    ("reviews_reforecast", "company_id", None),
]


def forward(apps, schema_editor):
    dataversion.install(schema_editor, TRACKED)


def backward(apps, schema_editor):
    dataversion.uninstall(schema_editor, TRACKED)


class Migration(migrations.Migration):
    dependencies = [
        ("kgiapp", "0001_initial"),
        ("metrics", "0005_anomalies_reforecast"),
        ("reviews", "0002_anomalies_reforecast"),
        ("teams", "0002_okrs_objectives_key_results_checkins"),
    ]

    operations = [
        migrations.CreateModel(
            name="CompanyDataVersion",
            fields=[
                ("company", models.OneToOneField(
                    on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                    related_name="data_version", serialize=False, to="kgiapp.company")),
                ("token", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(forward, backward, elidable=False),
    ]

"""The company data token and the triggers that change it on every write (kgiapp.dataversion)."""
import django.db.models.deletion
from django.db import migrations, models

from kgiapp import dataversion


def forward(apps, schema_editor):
    dataversion.install(schema_editor)


def backward(apps, schema_editor):
    dataversion.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("kgiapp", "0001_initial"),
        ("metrics", "0004_merge_20261123_0900"),
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

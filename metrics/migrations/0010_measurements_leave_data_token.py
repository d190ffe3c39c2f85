"""Measurements no longer change the company's data token.

What pages show of the numbers is read from the per-KPI facts (0009), so a measurement
writer needs no company-wide row at all, not even at commit: an import and a grid edit
of one company touch only their own KPIs' rows. Pages that still cache something that
depends on one KPI's numbers (the KPI page) add that KPI's fact version to the key.
"""
from django.db import migrations

from teams import dataversion

TABLE = [("metrics_measurement", "company_id", None)]


def forward(apps, schema_editor):
    dataversion.uninstall(schema_editor, TABLE, company=False)


def backward(apps, schema_editor):
    dataversion.install(schema_editor, TABLE, company=False)


class Migration(migrations.Migration):

    dependencies = [("metrics", "0009_kpi_facts")]

    operations = [migrations.RunPython(forward, backward)]

"""The kept upload is stored uncompressed in its TOAST table (PostgreSQL ``STORAGE EXTERNAL``),
so the streamed import reads it a block at a time with ``substring`` without inflating the
whole file for every block (metrics.import_stream). Rows stored before keep their form."""
from django.db import migrations


def external(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE metrics_importbatch ALTER COLUMN data SET STORAGE EXTERNAL")


def extended(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE metrics_importbatch ALTER COLUMN data SET STORAGE EXTENDED")


class Migration(migrations.Migration):

    dependencies = [
        ("metrics", "0014_kpi_fact_ranking"),
    ]

    operations = [migrations.RunPython(external, extended)]

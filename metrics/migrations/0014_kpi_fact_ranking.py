from django.db import migrations, models

from metrics.facts import triggers

# Every fact takes its KPI's ranked columns and the attention of its status; every KPI
# without a fact (no numbers, no targets) gets an empty clean one, as the KPI trigger
# gives each new KPI from now on.
COPY = (
    "UPDATE metrics_kpifact SET code = k.code, cadence = k.cadence, phase = k.phase, "
    "is_vanity = k.is_vanity, is_focus = (k.focus = 'active'), attention = CASE status "
    "WHEN 'off_track' THEN 0 WHEN 'at_risk' THEN 1 WHEN 'on_track' THEN 2 ELSE 3 END "
    "FROM metrics_kpi k WHERE k.id = metrics_kpifact.kpi_id"
)
ADD = (
    "INSERT INTO metrics_kpifact (kpi_id, company_id, dirty, version, series, status, attention, "
    "code, cadence, phase, is_vanity, is_focus) SELECT k.id, k.company_id, false, 0, '[]', "
    "'no_target', 3, k.code, k.cadence, k.phase, k.is_vanity, k.focus = 'active' "
    "FROM metrics_kpi k WHERE NOT EXISTS (SELECT 1 FROM metrics_kpifact f WHERE f.kpi_id = k.id)"
)


class Migration(migrations.Migration):

    dependencies = [
        ('metrics', '0013_kpi_computed_index'),
    ]

    operations = [
        migrations.RemoveIndex(model_name='kpifact', name='kpifact_company_status'),
        migrations.AddField(model_name='kpifact', name='attention',
                            field=models.SmallIntegerField(default=3)),
        migrations.AddField(model_name='kpifact', name='cadence',
                            field=models.CharField(default='weekly', max_length=7)),
        migrations.AddField(model_name='kpifact', name='code',
                            field=models.CharField(default='', max_length=40)),
        migrations.AddField(model_name='kpifact', name='is_focus',
                            field=models.BooleanField(default=False)),
        migrations.AddField(model_name='kpifact', name='is_vanity',
                            field=models.BooleanField(default=False)),
        migrations.AddField(model_name='kpifact', name='phase',
                            field=models.CharField(default='acquisition', max_length=12)),
        migrations.AddIndex(
            model_name='kpifact',
            index=models.Index(condition=models.Q(('is_vanity', False)),
                               fields=['company', 'cadence', 'phase', '-is_focus', 'attention', 'code'],
                               name='kpifact_column_rank')),
        migrations.AddIndex(
            model_name='kpifact',
            index=models.Index(condition=models.Q(('is_vanity', False)),
                               fields=['company', 'cadence', 'phase', 'status'],
                               name='kpifact_column_status')),
        migrations.AddIndex(
            model_name='kpifact',
            index=models.Index(condition=models.Q(('dirty', True)), fields=['company'],
                               name='kpifact_company_dirty')),
        migrations.RunSQL(COPY, migrations.RunSQL.noop),
        migrations.RunSQL(ADD, migrations.RunSQL.noop),
        migrations.RunPython(triggers.install, triggers.install_unranked),
    ]

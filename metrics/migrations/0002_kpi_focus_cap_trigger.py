"""Database backstop for the seven-focus-KPI rule: a trigger refuses an 8th active KPI per team.

The service (metrics.services.kpi_set_focus) is the rule people meet; this trigger makes
sure no other path (a bulk update, a shell, a bug) can break it. On PostgreSQL the
trigger locks the team row first, so concurrent transactions are serialised per team.
"""
from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION metrics_kpi_focus_cap() RETURNS trigger AS $$
BEGIN
  IF NEW.focus = 'active' AND NEW.team_id IS NOT NULL THEN
    PERFORM 1 FROM teams_team WHERE id = NEW.team_id FOR UPDATE;
    IF (SELECT count(*) FROM metrics_kpi
        WHERE team_id = NEW.team_id AND focus = 'active' AND id <> NEW.id) >= 7 THEN
      RAISE EXCEPTION 'kpi_focus_cap: team % already has 7 active KPIs', NEW.team_id
        USING ERRCODE = 'check_violation';
    END IF;
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS metrics_kpi_focus_cap ON metrics_kpi;
CREATE TRIGGER metrics_kpi_focus_cap BEFORE INSERT OR UPDATE OF focus, team_id ON metrics_kpi
  FOR EACH ROW EXECUTE FUNCTION metrics_kpi_focus_cap();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS metrics_kpi_focus_cap ON metrics_kpi;
DROP FUNCTION IF EXISTS metrics_kpi_focus_cap();
"""

SQLITE_FORWARD = [
    """
CREATE TRIGGER IF NOT EXISTS metrics_kpi_focus_cap_insert BEFORE INSERT ON metrics_kpi
WHEN NEW.focus = 'active' AND NEW.team_id IS NOT NULL AND
  (SELECT count(*) FROM metrics_kpi WHERE team_id = NEW.team_id AND focus = 'active') >= 7
BEGIN SELECT RAISE(ABORT, 'kpi_focus_cap: team already has 7 active KPIs'); END
""",
    """
CREATE TRIGGER IF NOT EXISTS metrics_kpi_focus_cap_update BEFORE UPDATE OF focus, team_id
ON metrics_kpi
WHEN NEW.focus = 'active' AND NEW.team_id IS NOT NULL AND
  (SELECT count(*) FROM metrics_kpi
   WHERE team_id = NEW.team_id AND focus = 'active' AND id <> NEW.id) >= 7
BEGIN SELECT RAISE(ABORT, 'kpi_focus_cap: team already has 7 active KPIs'); END
""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS metrics_kpi_focus_cap_insert",
    "DROP TRIGGER IF EXISTS metrics_kpi_focus_cap_update",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0001_initial"),
        ("teams", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]

"""`make run` migrates a fresh SQLite file: every migration applies and the data-token and
KPI-fact triggers survive the table rebuilds SQLite needs to alter a table."""
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from teams.dataversion import PEOPLE, TRACKED

ROOT = Path(__file__).resolve().parents[2]


def test_fresh_sqlite_migrates_with_every_trigger(tmp_path):
    db = tmp_path / "fresh.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    done = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]

    con = sqlite3.connect(db)
    triggers = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    expected = {"dv_company_insert"} | {
        f"dv_{table}_{event}" for table, _c, _v in TRACKED + PEOPLE for event in ("insert", "update", "delete")
    } | {f"kf_{table}_{event}" for table in ("metrics_measurement", "metrics_target")
         for event in ("insert", "update", "delete")}
    assert expected - triggers == set()

    # The tokens still move: a new company gets its row, a team written changes it.
    con.execute("INSERT INTO teams_company (slug, name, currency, timezone, language, "
                "fiscal_year_start_month, created_at, week_start) "
                "VALUES ('a', 'A', 'JPY', 'Asia/Tokyo', 'ja', 4, '2026-01-01', 0)")
    company_id, token = con.execute("SELECT company_id, token FROM teams_companydataversion").fetchone()
    con.execute("INSERT INTO teams_team (slug, name, timezone, created_at, company_id) "
                "VALUES ('t', 'T', 'Asia/Tokyo', '2026-01-01', ?)", (company_id,))
    (after,) = con.execute("SELECT token FROM teams_companydataversion").fetchone()
    con.close()
    assert after != token

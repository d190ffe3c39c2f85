"""Runs that recover by themselves: the heartbeat a worker holds while it works on a run.

A worker takes a PostgreSQL *session* advisory lock on the run (``holding(kind, pk)``)
before it marks the run running, and releases it when the run is finished. The lock lives
as long as the worker's database connection: a worker that is killed (SIGKILL, OOM, a lost
machine) loses its connection and with it the lock, at once. So a reaper (``held(kind)``)
can tell a run somebody is working on from one whose worker died, without a clock and
without waiting for the broker's visibility timeout. The same lock makes a second message
for the same run (a resend, a redelivery) step aside while the first one works.

The locks use the two-key form ``(namespace, id)``; the one-key space of the measurement
writer's per-KPI locks does not overlap it. Without PostgreSQL (SQLite, eager tasks in
development) nothing is held and nothing is reaped.
"""
from __future__ import annotations

import logging
import zlib
from contextlib import contextmanager
from datetime import timedelta

from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)

# How long queued work may wait for a worker before the reaper sends it again: a message
# lost while the broker was down, or a row stored without one.
STALE_AFTER = timedelta(minutes=2)


def namespace(kind: str) -> int:
    """A stable positive 32-bit number for a kind of run ("reforecast", "source-run")."""
    return zlib.crc32(f"kgi.run.{kind}".encode()) & 0x7FFFFFFF


def _postgres() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def holding(kind: str, pk: int):
    """Hold run ``pk`` of ``kind`` for the block; yields False when another worker holds it.

    Take it outside any transaction (it outlives them) and do the whole run inside.
    """
    if not _postgres():
        yield True
        return
    key = [namespace(kind), int(pk)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        mine = cursor.fetchone()[0]
    try:
        yield mine
    finally:
        if mine:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
            except DatabaseError:  # the connection is gone, and the lock with it
                logger.warning("Could not release the hold on %s %s", kind, pk)


def held(kind: str) -> set[int]:
    """Ids of the runs of ``kind`` some live connection holds right now."""
    if not _postgres():
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND objsubid = 2 AND classid = %s::oid "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [namespace(kind)])
        return {int(row[0]) for row in cursor.fetchall()}

"""The cards' numbers, read from the stored per-KPI facts (metrics.facts) in a few queries.

A page reads its KPIs joined with their facts (one query) instead of computing every
KPI's latest values and targets. A fact a trigger marked dirty (a write that did not go
through a refreshing writer) is computed live for that KPI only (two more queries), so
what a card shows is always what the numbers say.

The dashboard's columns show the KPIs that need attention first: ``top_cards`` picks them
in the database (a window over the company's facts) and counts the rest, so the page
reads the cards it shows, not all of the company's KPIs.
"""
from __future__ import annotations

import json

from django.db.models import Case, Count, F, IntegerField, Value, When, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from core.formatting import spark_points
from core.prepared import prepared_cursor
from metrics.facts.store import facts_compute
from metrics.models import Direction, Focus, Kpi
from metrics.selectors import (
    CADENCE_ORDER,
    PHASE_ORDER,
    ROW_FIELDS,
    SPARK_PERIODS,
    STATUS_AT_RISK,
    STATUS_NO_TARGET,
    STATUS_OFF_TRACK,
    STATUS_ON_TRACK,
    KpiRow,
    _change,
)

FACT_COLUMNS = ("fact__dirty", "fact__version", "fact__latest_period", "fact__latest",
                "fact__previous", "fact__series", "fact__target", "fact__spark", "fact__status")


def _fill(row, latest_period, latest, previous, series, target, spark, status):
    row.latest_period, row.latest, row.previous = latest_period, latest, previous
    row.change, row.change_unit = _change(row, latest, previous)
    if row.change is not None and row.change != 0:
        row.change_good = (row.change > 0) == (row.direction == Direction.HIGHER)
    row.target = target
    row.status = status or STATUS_NO_TARGET
    if isinstance(series, str):  # a raw cursor returns the JSON text
        series = json.loads(series)
    # The points stay as stored until a page asks for them (KpiRow.points): a card needs
    # only its sparkline, drawn from the stored decimal strings.
    row.stored_points = series or []
    # Drawn when the fact was stored; a fact stored before the column existed draws it here.
    row.spark = spark if spark or len(row.stored_points) < 2 else spark_points(
        [v for _p, v in row.stored_points[-SPARK_PERIODS:]])
    return row


def card_rows(company, queryset, today=None):
    """KpiRows of these KPIs (a Kpi queryset) with their facts: one query, two more when
    some fact is dirty. Rows carry ``version`` (the fact's) and ``points`` (its last points)."""
    return rows_from(company, queryset.values_list(*ROW_FIELDS, *FACT_COLUMNS), today)


def rows_from(company, tuples, today=None):
    """KpiRows from (ROW_FIELDS…, FACT_COLUMNS…) tuples; dirty facts computed live."""
    rows, dirty = [], []
    for values in tuples:
        row = KpiRow(*values[:len(ROW_FIELDS)])
        is_dirty, version, *fact = values[len(ROW_FIELDS):]
        row.version = version or 0
        if is_dirty:
            dirty.append(row)
        else:
            _fill(row, *fact)
        rows.append(row)
    if dirty:
        computed = facts_compute(company, dirty, today=today or timezone.localdate())
        for row in dirty:
            f = computed[row.pk]
            _fill(row, f["latest_period"], f["latest"], f["previous"], f["series"], f["target"],
                  f["spark"], f["status"])
    return rows


def kpi_cards(company, *, team=None, ids=None, include_vanity=False, today=None):
    """The company's KPIs (of a team, or these ids) as filled KpiRows ordered by code."""
    qs = Kpi.objects.filter(company=company)
    if not include_vanity:
        qs = qs.filter(is_vanity=False)
    if team is not None:
        qs = qs.filter(team=team)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return card_rows(company, qs.order_by("code"), today=today)


STATUS = Coalesce(F("fact__status"), Value(STATUS_NO_TARGET))
ATTENTION = Case(When(fact__status=STATUS_OFF_TRACK, then=Value(0)),
                 When(fact__status=STATUS_AT_RISK, then=Value(1)),
                 When(fact__status=STATUS_ON_TRACK, then=Value(2)),
                 default=Value(3), output_field=IntegerField())
NOT_FOCUS = Case(When(focus=Focus.ACTIVE, then=Value(0)), default=Value(1),
                 output_field=IntegerField())


def card_counts(company):
    """{(cadence, phase, status): n} of the company's non-vanity KPIs and whether any fact
    is dirty (then statuses must be computed before ranking): one query."""
    counts, dirty = {}, False
    for cadence, phase, status, is_dirty, n in (
            Kpi.objects.filter(company=company, is_vanity=False)
            .values_list("cadence", "phase")
            .annotate(st=STATUS, d=Coalesce(F("fact__dirty"), Value(False)))
            .values_list("cadence", "phase", "st", "d").annotate(n=Count("pk"))
            .order_by()):
        counts[(cadence, phase, status)] = counts.get((cadence, phase, status), 0) + n
        dirty = dirty or is_dirty
    return counts, dirty


def top_cards(company, limit, cadences=None, today=None):
    """In each (cadence, phase) column the ``limit`` KPIs that need attention first (focus,
    then off track → at risk → on track → no target, then code): one query."""
    qs = (Kpi.objects.filter(company=company, is_vanity=False)
          .annotate(rn=Window(RowNumber(), partition_by=[F("cadence"), F("phase")],
                              order_by=[NOT_FOCUS.asc(), ATTENTION.asc(), F("code").asc()]))
          .filter(rn__lte=limit))
    if cadences:
        qs = qs.filter(cadence__in=cadences)
    return card_rows(company, qs.order_by("code"), today=today)


def layers_from(rows, counts, cadences=None, limit=None):
    """group_by_cadence_and_phase for rows already picked by ``top_cards``: the columns'
    sizes and hidden counts come from ``counts`` (card_counts)."""
    from metrics.models import Cadence, Phase

    cadences = cadences or CADENCE_ORDER
    # Rows and counts by column once (not a pass over all of them per column).
    by_column, sizes = {}, {}
    for row in rows:
        by_column.setdefault((row.cadence, row.phase), []).append(row)
    for (c, p, _s), n in counts.items():
        sizes[(c, p)] = sizes.get((c, p), 0) + n
    layers = []
    for cadence in cadences:
        phases, total = [], 0
        for phase in PHASE_ORDER:
            size = sizes.get((cadence, phase), 0)
            total += size
            phase_rows = by_column.get((cadence, phase), [])
            phase_rows.sort(key=lambda r: (not r.is_focus, r.name))
            phases.append({"phase": phase, "label": Phase(phase).label, "rows": phase_rows,
                           "hidden": size - len(phase_rows) if limit is not None else 0})
        layers.append({"cadence": cadence, "label": Cadence(cadence).label, "phases": phases,
                       "count": total})
    return layers


def status_totals(counts):
    out = {}
    for (_c, _p, status), n in counts.items():
        out[status] = out.get(status, 0) + n
    return out


__all__ = ["card_rows", "kpi_cards", "card_counts", "top_cards", "layers_from",
           "status_totals"]


def numbers_signature(company, kpi_ids=()):
    """A value that changes when these KPIs' facts change (every write of their numbers or
    targets gives a fact a new random version) or when the company's first numbers arrive:
    the key for what is computed from these KPIs' numbers (dashboard_cards reads the same)."""
    from django.db.models import Q, Sum

    from metrics.facts.models import KpiFact

    found = KpiFact.objects.filter(company=company).aggregate(
        n=Count("pk", filter=Q(latest_period__isnull=False) | Q(dirty=True)),
        s=Sum(F("version") % Value(1_000_000_007), filter=Q(kpi_id__in=list(kpi_ids))))
    return f"{bool(found['n'])}.{found['s'] or 0}"


_KPI_SQL = ("k.id, k.code, k.name_ja, k.name_en, k.unit, k.direction, k.kind, k.phase, "
            "k.cadence, k.focus, k.aggregation, k.team_id, k.formula, k.is_vanity")
_FACT_SQL = ("f.dirty, f.version, f.latest_period, f.latest, f.previous, f.series, f.target, "
             "f.spark, "
             "COALESCE(f.status, 'no_target')")


def _blank(at):
    """A UNION branch's select list: NULL in every card column but these ({index: sql})."""
    width = len(ROW_FIELDS) + len(FACT_COLUMNS)
    return ", ".join(at.get(i, "NULL") for i in range(width))


_PHASE, _CADENCE, _VANITY, _DIRTY, _STATUS = 7, 8, 13, 14, len(ROW_FIELDS) + len(FACT_COLUMNS) - 1
# Four kinds of rows in one round trip: 'c' a card (the first ``limit`` of each cadence ×
# phase column in the order of the kpifact_column_rank index — focus, then off track → at
# risk → on track → no target, then code), 'k' the KGI's KPI (a card or not), 'n' the
# count of a column's KPIs in one status (the sum of its kept deltas, metrics.facts.counts:
# a few dozen rows whatever the number of KPIs), 'm' whether
# any fact is dirty, whether the company has numbers, and the versions of the KGI tree's
# leaves. Each part reads an index or the kept counts, bounded by what the page shows
# rather than ranking or counting all of the company's KPIs.
_TOP_SQL = ("t.dirty, t.version, t.latest_period, t.latest, t.previous, t.series, t.target, "
            "t.spark, "
            "t.status")
DASHBOARD_SQL = f"""
WITH cols(cadence, phase) AS (
  SELECT c, p FROM unnest(%(cadences)s::varchar[]) AS c CROSS JOIN unnest(%(phases)s::varchar[]) AS p
)
SELECT 'c', {_KPI_SQL}, {_TOP_SQL}
  FROM cols CROSS JOIN LATERAL (
    SELECT f.kpi_id, {_FACT_SQL.replace("COALESCE(f.status, 'no_target')", "f.status")}
      FROM metrics_kpifact f
     WHERE f.company_id = %(company)s AND NOT f.is_vanity
       AND f.cadence = cols.cadence AND f.phase = cols.phase
     ORDER BY f.is_focus DESC, f.attention, f.code LIMIT %(limit)s) AS t
  -- One primary-key read per card (OFFSET 0 keeps the planner from hashing all KPIs).
  CROSS JOIN LATERAL (SELECT * FROM metrics_kpi k WHERE k.id = t.kpi_id OFFSET 0) AS k
UNION ALL
SELECT 'k', {_KPI_SQL}, {_FACT_SQL}
  FROM metrics_kpi k LEFT JOIN metrics_kpifact f ON f.kpi_id = k.id
 WHERE k.id = %(kgi)s AND k.company_id = %(company)s
UNION ALL
SELECT 'n', {_blank({0: "SUM(delta)::bigint", _PHASE: "phase", _CADENCE: "cadence",
                     _STATUS: "status"})}
  FROM metrics_kpifactcount WHERE company_id = %(company)s
 GROUP BY cadence, phase, status HAVING SUM(delta) <> 0
UNION ALL
SELECT 'm', {_blank({
    0: "(SELECT SUM(version %% 1000000007) FROM metrics_kpifact "
       "WHERE kpi_id = ANY(%(leaves)s::bigint[]))::bigint",
    _VANITY: "EXISTS (SELECT 1 FROM metrics_kpifact WHERE company_id = %(company)s "
             "AND (latest_period IS NOT NULL OR dirty))",
    _DIRTY: "EXISTS (SELECT 1 FROM metrics_kpifact WHERE company_id = %(company)s AND dirty "
            "AND NOT is_vanity)"})}
"""


def dashboard_cards(company, limit, kgi_kpi_id=None, leaves=(), today=None):
    """The company dashboard's numbers in one query (PostgreSQL), or None elsewhere.

    Returns (shown rows, {(cadence, phase, status): n}, any dirty fact, the KGI KPI's row or
    None, numbers_signature(company, leaves)). With a dirty fact the caller must rank in
    Python (the stored statuses may be stale).
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with prepared_cursor() as cursor:
        cursor.execute(DASHBOARD_SQL, {
            "company": company.pk, "limit": limit, "kgi": kgi_kpi_id or 0,
            "leaves": list(leaves), "cadences": CADENCE_ORDER, "phases": PHASE_ORDER})
        found = cursor.fetchall()
    counts, shown, kgi_rows = {}, [], []
    dirty, signature = False, "False.0"
    for kind, *row in found:
        if kind == "n":
            counts[(row[_CADENCE], row[_PHASE], row[_STATUS])] = row[0]
        elif kind == "m":
            dirty, signature = bool(row[_DIRTY]), f"{bool(row[_VANITY])}.{row[0] or 0}"
        elif kind == "k":
            kgi_rows.append(row)
        else:
            shown.append(row)
    shown_rows = rows_from(company, shown, today) if not dirty else []
    kgi_row = rows_from(company, kgi_rows, today)[0] if kgi_rows else None
    return shown_rows, counts, dirty, kgi_row, signature

"""Forecasts of many KPIs at once, reusing the stored fit of every KPI whose inputs did not change.

A KPI's forecast is a pure function of its series (values and campaign mask), horizon,
season length, interval levels and the forecaster's code. ``fit_key`` hashes exactly
those, so a stored ``ForecastFit`` with the same key is the forecast recomputing would
give (bit for bit), and a changed number — or a new month, campaign, deadline or engine —
changes the key of that KPI only. The misses are forecast together
(``engine.forecast.forecast_many``: one vectorised fit per series length) and stored in
one upsert (on PostgreSQL one statement whatever their number). This module is the only
writer of ``ForecastFit``.
"""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.utils import timezone

from core.prepared import bound_cursor
from engine.forecast import FORECAST_VERSION, Forecast, forecast_many
from metrics.analytics.models import ForecastFit

LEVELS = (80, 95)


@dataclass(frozen=True)
class FitRequest:
    """One KPI's forecast to make: its series, campaign mask, horizon and season length."""

    kpi_id: int
    values: np.ndarray
    exclude: np.ndarray
    horizon: int
    season_length: int
    # False: no backtest to pick the method (engine.forecast's ``select``), for KPIs whose
    # forecast only goes on record.
    select: bool = True


@dataclass(frozen=True)
class FitCounts:
    reused: int
    fitted: int


def fit_key(request: FitRequest, levels=LEVELS) -> str:
    """The hash of everything the request's forecast depends on."""
    digest = hashlib.sha256()
    digest.update(repr((FORECAST_VERSION, int(request.horizon), int(request.season_length),
                        tuple(levels), bool(request.select), request.values.size)).encode())
    digest.update(np.ascontiguousarray(request.values, dtype="<f8").tobytes())
    digest.update(np.ascontiguousarray(request.exclude, dtype=bool).tobytes())
    return digest.hexdigest()


def _bands(fc: Forecast, levels) -> bytes:
    rows = [fc.mean, fc.sigma]
    for level in levels:
        missing = np.full(fc.mean.shape, np.nan)  # a 0-step forecast has no bands
        rows += [fc.lower.get(int(level), missing), fc.upper.get(int(level), missing)]
    return np.ascontiguousarray(np.stack(rows), dtype="<f8").tobytes()


def _stored(fit: ForecastFit, levels) -> Forecast:
    rows = np.frombuffer(bytes(fit.bands), dtype="<f8").reshape(2 + 2 * len(levels), -1)
    facts = fit.facts
    lower = {int(level): rows[2 + 2 * i].copy() for i, level in enumerate(levels)}
    upper = {int(level): rows[3 + 2 * i].copy() for i, level in enumerate(levels)}
    score = facts["score"]
    return Forecast(rows[0].copy(), rows[1].copy(), lower, upper, facts["method"],
                    tuple(facts["flags"]), float("nan") if score is None else score,
                    facts["season_length"], facts["seasonal"], facts["candidates"])


def _facts(fc: Forecast) -> dict:
    score = fc.backtest_score
    return {"method": fc.method, "flags": list(fc.flags),
            "score": None if not math.isfinite(score) else score,
            "season_length": fc.season_length, "seasonal": bool(fc.seasonal),
            "candidates": {k: v for k, v in fc.candidates.items() if math.isfinite(v)}}


def forecasts_reusing_fits(company, requests: list[FitRequest], levels=LEVELS):
    """({kpi_id: Forecast}, FitCounts): stored forecasts where the key matches, new ones
    (forecast together, then stored) for the rest."""
    keys = {r.kpi_id: fit_key(r, levels) for r in requests}
    stored = {fit.kpi_id: fit for fit in ForecastFit.objects.filter(
        company=company, kpi_id__in=list(keys))}
    out: dict[int, Forecast] = {}
    missing = []
    for request in requests:
        fit = stored.get(request.kpi_id)
        if fit is not None and fit.key == keys[request.kpi_id]:
            out[request.kpi_id] = _stored(fit, levels)
        else:
            missing.append(request)
    fresh = forecast_many([(r.values, r.horizon, r.season_length, r.exclude, r.select)
                           for r in missing], levels=levels)
    rows = []
    for request, fc in zip(missing, fresh):
        out[request.kpi_id] = fc
        rows.append((request.kpi_id, keys[request.kpi_id], _bands(fc, levels), _facts(fc)))
    # Sorted, so two runs upserting the same KPIs lock their rows in the same order.
    rows.sort(key=lambda row: row[0])
    _store(company, rows)
    return out, FitCounts(reused=len(requests) - len(missing), fitted=len(missing))


# One upsert of every row, its columns as four arrays sent in binary (``%b``), instead of
# one parameter per field printed into the SQL (8,100 fits: 0.04 s of CPU instead of 0.85).
_UPSERT_SQL = """
INSERT INTO {table} (kpi_id, company_id, key, bands, facts, updated_at)
SELECT f.kpi_id, %b, f.key, f.bands, f.facts::jsonb, %b
FROM unnest(%b::bigint[], %b::text[], %b::bytea[], %b::text[]) AS f(kpi_id, key, bands, facts)
ON CONFLICT (kpi_id) DO UPDATE SET key = EXCLUDED.key, bands = EXCLUDED.bands,
    facts = EXCLUDED.facts, updated_at = EXCLUDED.updated_at
"""


def _store(company, rows: list[tuple[int, str, bytes, dict]]) -> None:
    """Upsert the fits (kpi_id, key, bands, facts), the latest one per KPI."""
    if rows:
        if connection.vendor == "postgresql":
            _store_postgresql(company, rows)
        else:
            _store_orm(company, rows)


def _store_postgresql(company, rows) -> None:
    kpi_ids, keys, bands, facts = zip(*rows)
    # The JSON text the ORM would send (JSONField: json.dumps, no encoder), made jsonb.
    with bound_cursor() as cursor:
        cursor.execute(_UPSERT_SQL.format(table=ForecastFit._meta.db_table),
                       [company.pk, timezone.now(), list(kpi_ids), list(keys), list(bands),
                        [json.dumps(f) for f in facts]])


def _store_orm(company, rows) -> None:
    """What ``_store_postgresql`` writes, through the ORM (SQLite)."""
    ForecastFit.objects.bulk_create(
        [ForecastFit(kpi_id=kpi_id, company=company, key=key, bands=bands, facts=facts)
         for kpi_id, key, bands, facts in rows],
        update_conflicts=True, unique_fields=["kpi"],
        update_fields=["key", "bands", "facts", "updated_at"])

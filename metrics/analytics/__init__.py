"""From stored numbers to the engine and back: KPI series, anomalies and the KGI outlook.

The engine (``engine/``) works on numpy arrays and knows nothing of Django; this package
loads a company's measurements into regular series (``series``: one value per period, gaps
as NaN, campaign periods masked), runs the engine's detector and replaces the recent
findings (``anomaly_detection``, the nightly job), and forecasts and simulates the KGI
(``outlook``), and re-simulates a snapshot with leaves moved (``what_if``: its compact
inputs, stored with the snapshot).
"""
from metrics.analytics.anomaly_detection import anomalies_detect
from metrics.analytics.outlook import (
    DRAWS,
    MAX_SHIFT_PCT,
    OutlookUnavailable,
    clamp_shift,
    kgi_outlook,
    leaf_specs,
)
from metrics.analytics.series import Series, kpi_series

__all__ = [
    "DRAWS",
    "MAX_SHIFT_PCT",
    "OutlookUnavailable",
    "Series",
    "anomalies_detect",
    "clamp_shift",
    "kgi_outlook",
    "kpi_series",
    "leaf_specs",
]

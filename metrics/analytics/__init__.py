"""From stored numbers to the engine and back: KPI series, anomalies and the KGI outlook.

The engine (``engine/``) works on numpy arrays and knows nothing of Django; this package
loads a company's measurements into regular series (``series``: one value per period, gaps
as NaN, campaign periods masked), runs the engine's detector and stores what it found
(``anomaly_job``), and forecasts and simulates the KGI (``outlook``: outlook and what-if).
"""
from metrics.analytics.anomaly_job import anomalies_detect
from metrics.analytics.outlook import (
    DRAWS,
    MAX_SHIFT_PCT,
    OutlookUnavailable,
    clamp_shift,
    kgi_outlook,
    what_if,
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
    "what_if",
]

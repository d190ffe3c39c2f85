"""ForecastFit: a KPI's last forecast, kept so a reforecast on unchanged numbers skips it."""
from django.db import models

from metrics.models import Kpi
from teams.models import Company


class ForecastFit(models.Model):
    """The forecast the outlook last computed for one KPI, and the key of what it read.

    ``key`` hashes everything the forecast depends on — the series' values and campaign
    mask, the horizon, the season length, the interval levels and the forecaster's own
    code (``engine.forecast.FORECAST_VERSION``) — so a stored forecast is reused only when
    recomputing it would give the same numbers. Written only by
    ``metrics.analytics.fits.forecasts_reusing_fits``; one row per KPI (the latest).
    """

    kpi = models.OneToOneField(Kpi, on_delete=models.CASCADE, primary_key=True,
                               related_name="forecast_fit")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    # mean, sigma, then each level's lower and upper band, as float64 little-endian rows:
    # exact, NaN included (JSON has no NaN).
    bands = models.BinaryField()
    # method, flags, backtest score, season length, seasonal, candidates' scores.
    facts = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.kpi_id}: {self.facts.get('method', '')} ({self.key[:8]})"

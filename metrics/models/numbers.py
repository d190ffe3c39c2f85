"""The numbers: one measurement per KPI and period (+ its corrections), and what
annotates them: campaigns (known causes) and anomalies (what the detector saw)."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from metrics.models.kpis import Kpi
from teams.models import Company


class Source(models.TextChoices):
    MANUAL = "manual", _("Manual")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    COMPUTED = "computed", _("Computed")


class Measurement(models.Model):
    """One value per KPI per period; the period follows the KPI's cadence."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="measurements")
    period_start = models.DateField(_("period start"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    source = models.CharField(
        _("source"), max_length=8, choices=Source.choices, default=Source.MANUAL
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("measurement")
        ordering = ["kpi", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "period_start"], name="measurement_one_per_period")
        ]
        indexes = [models.Index(fields=["company", "period_start"], name="measurement_company_idx")]

    def __str__(self):
        return f"{self.kpi_id} {self.period_start} = {self.value}"


class MeasurementRevision(models.Model):
    """A correction: the old value is kept and shown."""

    measurement = models.ForeignKey(
        Measurement, on_delete=models.CASCADE, related_name="revisions"
    )
    old_value = models.DecimalField(max_digits=20, decimal_places=4)
    new_value = models.DecimalField(max_digits=20, decimal_places=4)
    source = models.CharField(max_length=8, choices=Source.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at"]


class Campaign(models.Model):
    """A known cause (promotion, sale, launch): drawn as a band, not an anomaly."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(_("name"), max_length=120)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    kpis = models.ManyToManyField(Kpi, related_name="campaigns", verbose_name=_("affected KPIs"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("campaign")
        ordering = ["company", "-start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")),
                                   name="campaign_end_after_start")
        ]

    def __str__(self):
        return self.name


class AnomalyLabel(models.TextChoices):
    ANOMALY = "anomaly", _("Anomaly")
    CAMPAIGN = "campaign", _("Campaign effect")


class Anomaly(models.Model):
    """A point far from its seasonal expectation, as the nightly detector last saw it.

    Points inside a campaign are kept with the label "campaign" (an annotation, not an
    alert). Re-running the detector updates the rows of the window it looked at.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="anomalies")
    period_start = models.DateField(_("period start"))
    value = models.FloatField(_("value"))
    expected = models.FloatField(_("expected"))
    expected_low = models.FloatField(_("expected from"))
    expected_high = models.FloatField(_("expected to"))
    score = models.FloatField(_("score"))
    label = models.CharField(max_length=8, choices=AnomalyLabel.choices,
                             default=AnomalyLabel.ANOMALY)
    kind = models.CharField(max_length=12, default="spike")  # "spike" | "level_shift"
    detected_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("anomaly")
        ordering = ["kpi", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "period_start"], name="anomaly_one_per_period"),
            models.CheckConstraint(condition=Q(label__in=AnomalyLabel.values),
                                   name="anomaly_label_valid"),
        ]
        indexes = [models.Index(fields=["company", "period_start"])]

    def __str__(self):
        return f"{self.kpi_id} {self.period_start} {self.score:+.1f}"

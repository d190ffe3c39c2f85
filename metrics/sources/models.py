"""A source of numbers and its runs (registered by metrics.apps.MetricsConfig.import_models)."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from teams.models import Company


class SourceKind(models.TextChoices):
    URL = "url", _("Spreadsheet URL")
    SQL = "sql", _("SQL query")
    WEBHOOK = "webhook", _("Webhook")


class Schedule(models.TextChoices):
    MANUAL = "manual", _("Only when run")
    HOURLY = "hourly", _("Every hour")
    DAILY = "daily", _("Every day")
    WEEKLY = "weekly", _("Every week")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class DataSource(models.Model):
    """Where a company's numbers come from without anyone typing them.

    ``secret`` holds the Fernet-encrypted credentials (the SQL DSN, the webhook's signing
    secret): never shown back. ``mapping`` renames the source's column and KPI names to
    KPI codes (and to ``period`` / ``value``): {"Sales (JPY)": "revenue", "Month": "period"}.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="sources")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=SourceKind.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("owner"))
    url = models.URLField(_("URL"), max_length=1000, blank=True)
    query = models.TextField(_("query"), blank=True)
    secret = models.BinaryField(editable=False, default=b"")
    mapping = models.JSONField(_("mapping"), default=dict, blank=True)
    schedule = models.CharField(_("schedule"), max_length=10, choices=Schedule.choices,
                                default=Schedule.MANUAL)
    at = models.TimeField(_("at"), null=True, blank=True)  # daily / weekly: local time
    weekday = models.PositiveSmallIntegerField(null=True, blank=True)  # weekly: 0 = Monday
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("source")
        ordering = ["company", "name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="datasource_name_unique"),
            models.CheckConstraint(condition=Q(kind__in=SourceKind.values),
                                   name="datasource_kind_valid"),
            models.CheckConstraint(condition=Q(schedule__in=Schedule.values),
                                   name="datasource_schedule_valid"),
            models.CheckConstraint(condition=Q(weekday__isnull=True) | Q(weekday__lte=6),
                                   name="datasource_weekday_valid"),
        ]

    def __str__(self):
        return self.name


class SourceRun(models.Model):
    """One run of a source. ``key`` makes a run happen once: the scheduled slot
    ("2026-12-03T14:00"), the webhook's signature, or a fresh id for "run now"."""

    source = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="runs")
    key = models.CharField(max_length=100)
    batch = models.OneToOneField("metrics.ImportBatch", on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="source_run")
    status = models.CharField(max_length=10, choices=RunStatus.choices,
                              default=RunStatus.RUNNING)
    error = models.TextField(blank=True)
    unmapped = models.JSONField(default=list, blank=True)
    kpi_ids = models.JSONField(default=list, blank=True)  # the KPIs it delivered (when done)
    new_count = models.PositiveIntegerField(default=0)
    changed_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["source", "-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="sourcerun_key_unique"),
            models.CheckConstraint(condition=Q(status__in=RunStatus.values),
                                   name="sourcerun_status_valid"),
        ]

    def __str__(self):
        return f"{self.source} {self.key} ({self.status})"

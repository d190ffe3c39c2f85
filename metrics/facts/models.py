"""KpiFact: what a card shows of one KPI, kept current by the writers (metrics.facts)."""
from django.db import models

from metrics.models import Kpi
from teams.models import Company


class KpiFact(models.Model):
    """One KPI's latest value, previous value, last points, target and status, stored.

    Written by ``metrics.facts.facts_refresh`` in the writer's transaction (the one
    measurement writer, the target writer, KPI edits). Database triggers on measurements and
    targets mark the row ``dirty`` and give it a new ``version`` whatever wrote them (a
    test factory, raw SQL), so a reader never trusts a stale row: it computes dirty rows
    live. Every KPI has one (a trigger adds it when the KPI is created): a KPI without
    numbers or targets has an empty, clean fact.
    """

    kpi = models.OneToOneField(Kpi, on_delete=models.CASCADE, primary_key=True,
                               related_name="fact")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    dirty = models.BooleanField(default=True)
    # Random, changed by every write of the KPI's numbers or targets: cache keys use it.
    version = models.BigIntegerField(default=0)
    latest_period = models.DateField(null=True)
    latest = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    previous = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    # The last POINTS values, oldest first: [["2026-01-05", "1200.0000"], …].
    series = models.JSONField(default=list)
    # The card's sparkline, SVG points of the last SPARK_PERIODS values (core.formatting
    # .spark_points), drawn when the fact is stored instead of at every page load.
    spark = models.TextField(default="", db_default="", blank=True)
    target = models.DecimalField(max_digits=40, decimal_places=12, null=True)
    status = models.CharField(max_length=10, default="no_target")
    updated_at = models.DateTimeField(null=True)
    # What the dashboard ranks a column's cards by, kept on the fact so a column's top cards
    # are one index scan: copied from the KPI by a trigger on every insert or update of it
    # (metrics.facts.triggers), and ``attention`` from ``status`` by whoever stores the status.
    code = models.CharField(max_length=40, default="")
    cadence = models.CharField(max_length=7, default="weekly")
    phase = models.CharField(max_length=12, default="acquisition")
    is_vanity = models.BooleanField(default=False)
    is_focus = models.BooleanField(default=False)
    # 0 off track, 1 at risk, 2 on track, 3 no target (metrics.facts.store.ATTENTION).
    attention = models.SmallIntegerField(default=3)

    class Meta:
        indexes = [
            # A dashboard column's cards: focus first, then attention, then code.
            models.Index(fields=["company", "cadence", "phase", "-is_focus", "attention", "code"],
                         condition=models.Q(is_vanity=False), name="kpifact_column_rank"),
            # "Is any fact of the company stale?" without reading the others.
            models.Index(fields=["company"], condition=models.Q(dirty=True),
                         name="kpifact_company_dirty"),
        ]

    def __str__(self):
        return f"{self.kpi_id}: {self.latest} ({self.status})"


class KpiFactCount(models.Model):
    """A change of how many of a company's facts (vanity KPIs' left out) are in a dashboard
    column (cadence × phase) with a status: written only by triggers on the facts
    (PostgreSQL; metrics.facts.counts), summed by the dashboard, folded by counts_compact.
    ``company_id`` is a plain column, not a foreign key: a deleted company's facts still add
    their deltas as they go, and those sum to nothing."""

    company_id = models.BigIntegerField()
    cadence = models.CharField(max_length=7)
    phase = models.CharField(max_length=12)
    status = models.CharField(max_length=10)
    delta = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["company_id"], name="kpifactcount_company")]

    def __str__(self):
        return f"{self.company_id} {self.cadence}/{self.phase}/{self.status} {self.delta:+d}"

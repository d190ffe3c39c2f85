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
    live. No row means a KPI with no numbers and no targets.
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
    target = models.DecimalField(max_digits=40, decimal_places=12, null=True)
    status = models.CharField(max_length=10, default="no_target")
    updated_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [models.Index(fields=["company", "status"], name="kpifact_company_status")]

    def __str__(self):
        return f"{self.kpi_id}: {self.latest} ({self.status})"

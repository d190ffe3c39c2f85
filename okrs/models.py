"""OKRs: a team's quarterly Objectives, their Key Results (aligned to KPIs) and check-ins."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from teams.models import Company, Team


class ObjectiveStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class Objective(models.Model):
    """A team's qualitative goal for one fiscal quarter (label like 2026Q4)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="objectives")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="objectives")
    quarter = models.CharField(_("quarter"), max_length=6)
    quarter_start = models.DateField(_("quarter start"))
    title = models.CharField(_("objective"), max_length=200)
    why = models.TextField(_("why it matters"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("owner"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=ObjectiveStatus.choices,
        default=ObjectiveStatus.ACTIVE,
    )
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("objective")
        ordering = ["team", "quarter_start", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ObjectiveStatus.values),
                name="objective_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["company", "quarter"], name="objective_quarter_idx")]

    def __str__(self):
        return f"{self.quarter} {self.title}"


class KrKind(models.TextChoices):
    METRIC = "metric", _("Move a number (start → target)")
    CONTROL = "control", _("Keep above / below a threshold")


class KrDirection(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class KeyResult(models.Model):
    """A numeric result. Linked to a KPI, its current value follows the KPI's numbers.

    For a control KR, ``target`` is the threshold and ``direction`` says whether the
    number must stay above (higher) or below (lower) it.
    """

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="key_results")
    title = models.CharField(_("key result"), max_length=200)
    kind = models.CharField(_("kind"), max_length=7, choices=KrKind.choices,
                            default=KrKind.METRIC)
    kpi = models.ForeignKey(
        "metrics.Kpi", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="key_results", verbose_name=_("aligned KPI"),
    )
    unit = models.CharField(_("unit"), max_length=10, default="count")
    direction = models.CharField(_("direction"), max_length=6, choices=KrDirection.choices,
                                 default=KrDirection.HIGHER)
    start = models.DecimalField(_("start"), max_digits=20, decimal_places=4, null=True,
                                blank=True)
    target = models.DecimalField(_("target"), max_digits=20, decimal_places=4)
    current = models.DecimalField(
        _("current"), max_digits=20, decimal_places=4, null=True, blank=True,
        help_text=_("From check-ins; ignored when a KPI is linked."),
    )
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=1)
    position = models.PositiveSmallIntegerField(default=0)
    final_score = models.DecimalField(_("final score"), max_digits=3, decimal_places=2,
                                      null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("key result")
        ordering = ["objective", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="kr_weight_positive"),
            models.CheckConstraint(
                condition=models.Q(kind="control") | models.Q(start__isnull=False),
                name="kr_metric_has_start",
            ),
            models.CheckConstraint(
                condition=models.Q(final_score__isnull=True)
                | models.Q(final_score__gte=0, final_score__lte=1),
                name="kr_final_score_0_1",
            ),
        ]

    def __str__(self):
        return self.title


class CheckIn(models.Model):
    """A weekly word on a KR: value (only when not linked), confidence 0–10, comment."""

    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="checkins")
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4, null=True,
                                blank=True)
    confidence = models.PositiveSmallIntegerField(_("confidence (0–10)"))
    comment = models.TextField(_("comment"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("check-in")
        ordering = ["key_result", "created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(confidence__lte=10),
                                   name="checkin_confidence_0_10"),
        ]

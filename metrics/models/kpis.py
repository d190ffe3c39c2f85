"""The KGI and its KPI tree, and the targets they are held to.

Percent KPIs store percentage points (2.0 means 2.0 %); formulas see fractions
(0.02) — see ``Kpi.to_formula_value``.
"""
from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from teams.models import Company

kpi_code_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{0,39}$",
    _("Start with a lowercase letter; use lowercase letters, digits and _ (at most 40)."),
)


class Unit(models.TextChoices):
    JPY = "JPY", _("JPY")
    PERCENT = "percent", _("%")
    COUNT = "count", _("count")
    RATIO = "ratio", _("ratio")
    DAYS = "days", _("days")
    HOURS = "hours", _("hours")
    SCORE = "score", _("score")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Kind(models.TextChoices):
    LEADING = "leading", _("Leading")
    LAGGING = "lagging", _("Lagging")


class Phase(models.TextChoices):
    ACQUISITION = "acquisition", _("Acquisition")
    CONVERSION = "conversion", _("Conversion")
    REVENUE = "revenue", _("Revenue")
    RETENTION = "retention", _("Retention")


class Cadence(models.TextChoices):
    DAILY = "daily", _("Daily (operations)")
    WEEKLY = "weekly", _("Weekly (tactics)")
    MONTHLY = "monthly", _("Monthly (strategy)")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum")
    AVERAGE = "average", _("Average")
    LAST = "last", _("Last value")


class Focus(models.TextChoices):
    ACTIVE = "active", _("Active (focus)")
    MONITORING = "monitoring", _("Monitoring")


class Kpi(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="kpis")
    code = models.CharField(_("code"), max_length=40, validators=[kpi_code_validator])
    name_ja = models.CharField(_("name (Japanese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    definition = models.TextField(_("definition"), blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.COUNT)
    direction = models.CharField(
        _("direction"), max_length=6, choices=Direction.choices, default=Direction.HIGHER
    )
    kind = models.CharField(_("kind"), max_length=7, choices=Kind.choices, default=Kind.LEADING)
    phase = models.CharField(
        _("phase"), max_length=12, choices=Phase.choices, default=Phase.ACQUISITION
    )
    cadence = models.CharField(
        _("cadence"), max_length=7, choices=Cadence.choices, default=Cadence.WEEKLY
    )
    lever = models.TextField(_("lever"), blank=True, help_text=_("The actions that move it."))
    data_source = models.CharField(_("data source"), max_length=200, blank=True)
    team = models.ForeignKey(
        "teams.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="kpis",
        verbose_name=_("owner team"),
    )
    aggregation = models.CharField(
        _("aggregation to month"), max_length=7, choices=Aggregation.choices,
        default=Aggregation.SUM,
    )
    is_vanity = models.BooleanField(_("vanity metric"), default=False)
    # Yen and counts cannot fall below zero (an ad spend of -3,000 is a typo) unless the
    # KPI says so: profit, a net change (spreadsheets.values.check_range).
    allows_negative = models.BooleanField(
        _("can be negative"), default=False,
        help_text=_("Tick for a figure that can fall below zero, such as profit or a net "
                    "change. Otherwise a negative value is refused."))
    focus = models.CharField(
        _("focus"), max_length=10, choices=Focus.choices, default=Focus.MONITORING
    )
    formula = models.TextField(
        _("formula"), blank=True,
        help_text=_("e.g. uu * cvr * aov — KPI codes, numbers, + − × ÷ and parentheses."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["company", "code"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="kpi_code_unique_in_company"),
            models.CheckConstraint(condition=Q(unit__in=Unit.values), name="kpi_unit_valid"),
            models.CheckConstraint(condition=Q(focus__in=Focus.values), name="kpi_focus_valid"),
            # Vanity metrics never take one of the seven focus places.
            models.CheckConstraint(
                condition=~Q(is_vanity=True, focus="active"), name="kpi_vanity_not_active"
            ),
        ]
        indexes = [
            models.Index(fields=["team", "focus"], name="kpi_team_focus_idx"),
            # The measurement writer reads a company's computed KPIs on every write: only
            # those, however many KPIs the company has (metrics.measurements).
            models.Index(fields=["company", "code"], condition=~Q(formula=""),
                         name="kpi_computed_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def name(self):
        language = translation.get_language() or "ja"
        return self.name_ja if language.startswith("ja") else self.name_en

    @property
    def is_computed(self):
        return bool(self.formula.strip())

    @property
    def sign(self):
        """+1 when higher is better, −1 when lower is better."""
        return 1 if self.direction == Direction.HIGHER else -1

    def to_formula_value(self, value):
        """The value a formula sees: percents as fractions (2.0 % → 0.02)."""
        if value is None:
            return None
        value = float(value)
        return value / 100.0 if self.unit == Unit.PERCENT else value

    def from_formula_value(self, value):
        return value * 100.0 if self.unit == Unit.PERCENT else value


class KgiStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    ARCHIVED = "archived", _("Archived")


class Kgi(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="kgis")
    name = models.CharField(_("name"), max_length=200)
    kpi = models.ForeignKey(
        Kpi, on_delete=models.PROTECT, null=True, blank=True, related_name="kgis",
        verbose_name=_("measured by KPI"),
    )
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, blank=True)
    baseline = models.DecimalField(
        _("baseline"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    target = models.DecimalField(_("target"), max_digits=20, decimal_places=4, null=True,
                                 blank=True)
    start_date = models.DateField(_("start"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    why = models.TextField(_("why it matters"), blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=KgiStatus.choices, default=KgiStatus.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("KGI")
        verbose_name_plural = _("KGIs")
        ordering = ["company", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["company"], condition=Q(status="active"), name="kgi_one_active_per_company"
            ),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True) | Q(start_date__isnull=True)
                | Q(deadline__gt=models.F("start_date")),
                name="kgi_deadline_after_start",
            ),
        ]

    def __str__(self):
        return self.name


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    DEADLINE = "deadline", _("KGI deadline")


class Target(models.Model):
    """A threshold for a KPI and period; replaced targets are kept as history."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="targets")
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    value = models.DecimalField(_("target"), max_digits=20, decimal_places=4)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("target")
        ordering = ["kpi", "period_start", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "period_kind", "period_start"],
                condition=Q(superseded_at__isnull=True),
                name="target_one_current_per_kpi_period",
            )
        ]

    def __str__(self):
        return f"{self.kpi.code} {self.period_kind} {self.period_start}: {self.value}"

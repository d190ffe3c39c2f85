"""The weekly review: per team per ISO week, number → decision → task.

A review is opened every Monday (or on first visit), walks the team's numbers,
collects highlights/lowlights and decisions, and is closed by the team's manager;
closing freezes the numbers so later corrections do not rewrite history.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class WeeklyReview(models.Model):
    company = models.ForeignKey("teams.Company", on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="reviews")
    iso_year = models.PositiveSmallIntegerField(_("ISO year"))
    iso_week = models.PositiveSmallIntegerField(_("ISO week"))
    week_start = models.DateField(_("week of"))
    status = models.CharField(
        _("status"), max_length=6, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    summary = models.TextField(_("summary"), blank=True)
    no_decision_reason = models.TextField(_("no decision needed because"), blank=True)
    # [{kpi_id, code, name_ja, name_en, unit, direction, period_start, value, previous,
    #   target, change_pct, vs_target_pct, spark}] as they were when the review closed.
    frozen_numbers = models.JSONField(default=list, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    digest_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("weekly review")
        ordering = ["team", "-week_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "iso_year", "iso_week"], name="review_one_per_team_week"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReviewStatus.values), name="review_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(iso_week__gte=1, iso_week__lte=53), name="review_iso_week_1_53"
            ),
        ]
        indexes = [models.Index(fields=["company", "status"], name="review_company_status_idx")]

    def __str__(self):
        return f"{self.team} {self.week_label}"

    @property
    def week_label(self):
        """2026-W05: the ISO week as it appears in URLs."""
        return f"{self.iso_year}-W{self.iso_week:02d}"

    @property
    def is_open(self):
        return self.status == ReviewStatus.OPEN


class NoteKind(models.TextChoices):
    HIGHLIGHT = "highlight", _("Highlight")
    LOWLIGHT = "lowlight", _("Lowlight")


class Note(models.Model):
    review = models.ForeignKey(WeeklyReview, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("kind"), max_length=9, choices=NoteKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.CharField(_("note"), max_length=500)
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="review_mentions"
    )
    mentions_notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("note")
        ordering = ["review", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=NoteKind.values), name="note_kind_valid")
        ]

    def __str__(self):
        return f"{self.kind}: {self.text[:40]}"


class Decision(models.Model):
    review = models.ForeignKey(WeeklyReview, on_delete=models.CASCADE, related_name="decisions")
    kpi = models.ForeignKey(
        "metrics.Kpi", on_delete=models.PROTECT, related_name="decisions",
        verbose_name=_("KPI"),
    )
    text = models.CharField(_("decision"), max_length=300)
    rationale = models.TextField(_("rationale"), blank=True)
    keep_course = models.BooleanField(_("keep course"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The form's idempotency key: the same form posted twice (double click, retry) records
    # one decision.
    request_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("decision")
        ordering = ["review", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "request_key"],
                                    condition=models.Q(request_key__isnull=False),
                                    name="decision_one_per_request_key"),
        ]

    def __str__(self):
        return self.text


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class Task(models.Model):
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="tasks")
    # The review the task was created in: its week is where a carried task comes from.
    review = models.ForeignKey(
        WeeklyReview, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    # The customer a follow-up task was opened for from the at-risk list (else empty).
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="review_tasks", verbose_name=_("customer"),
    )
    title = models.CharField(_("task"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_tasks",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=7, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    drop_reason = models.CharField(_("reason for dropping"), max_length=300, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("task")
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=TaskStatus.values), name="task_status_valid"
            ),
            # A dropped task always says why.
            models.CheckConstraint(
                condition=~Q(status="dropped") | ~Q(drop_reason=""),
                name="task_dropped_has_reason",
            ),
            # One open follow-up per customer: a second click finds the first task.
            models.UniqueConstraint(
                fields=["customer"], condition=Q(status="open", customer__isnull=False),
                name="task_one_open_per_customer",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status"], name="task_owner_status_idx"),
            models.Index(fields=["team", "status"], name="task_team_status_idx"),
        ]

    def __str__(self):
        return self.title


class ReviewLogAction(models.TextChoices):
    OPENED = "opened", _("Opened")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    SUMMARY = "summary", _("Summary edited")
    DECISION_EDITED = "decision_edited", _("Decision edited")
    DECISION_DELETED = "decision_deleted", _("Decision deleted")
    TASK_DELETED = "task_deleted", _("Task deleted")


class ReviewLog(models.Model):
    review = models.ForeignKey(WeeklyReview, on_delete=models.CASCADE, related_name="log")
    action = models.CharField(max_length=20, choices=ReviewLogAction.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "-at"]


class ReforecastStatus(models.TextChoices):
    PENDING = "pending", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Reforecast(models.Model):
    """The monthly outlook of the KGI: one immutable snapshot per company and month.

    ``month`` is the first day of the month; the snapshot uses the numbers of the periods
    before it. Until it is done the row only carries progress; once done, nothing in it
    changes again (``reforecast_compute`` refuses and the model refuses to save it).
    """

    company = models.ForeignKey("teams.Company", on_delete=models.CASCADE, related_name="+")
    kgi = models.ForeignKey("metrics.Kgi", on_delete=models.SET_NULL, null=True,
                            related_name="+")
    month = models.DateField(_("month"))
    status = models.CharField(_("status"), max_length=7, choices=ReforecastStatus.choices,
                              default=ReforecastStatus.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    probability = models.FloatField(_("probability"), null=True, blank=True)
    p10 = models.FloatField(null=True, blank=True)
    p50 = models.FloatField(null=True, blank=True)
    p90 = models.FloatField(null=True, blank=True)
    target = models.FloatField(null=True, blank=True)
    deadline = models.DateField(null=True, blank=True)
    draws = models.PositiveIntegerField(default=0)
    seed = models.BigIntegerField(default=0)
    fingerprint = models.CharField(max_length=64, blank=True)
    # What the report shows: {"kgi": {...}, "leaves": {code: {...}}, "sensitivity": [...],
    #  "anomalies": [...], "changes": {...}, "risks": [...], "decisions": [...]}. Snapshots
    # stored before reviews/0005 also hold "forecasts" and "correlation" here.
    payload = models.JSONField(default=dict, blank=True)
    # What a what-if reads, and nothing else: the leaves' distributions and labels, their
    # correlation and the formula tree, as one small .npz (metrics.analytics.what_if).
    # Empty on snapshots stored before reviews/0005 (read from the payload instead).
    what_if_inputs = models.BinaryField(null=True, blank=True, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reforecast")
        ordering = ["company", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["company", "month"], name="reforecast_one_per_month"),
            models.CheckConstraint(condition=Q(status__in=ReforecastStatus.values),
                                   name="reforecast_status_valid"),
            # A done snapshot is complete: never a "done" row without its figures.
            models.CheckConstraint(
                condition=~Q(status=ReforecastStatus.DONE)
                | (Q(probability__isnull=False) & Q(completed_at__isnull=False)),
                name="reforecast_done_is_complete",
            ),
        ]

    def __str__(self):
        return f"{self.company_id} {self.month:%Y-%m} {self.status}"

    def save(self, *args, **kwargs):
        # Snapshots are immutable: a done row is written once, by the service, and never again.
        if self.pk and Reforecast.objects.filter(
                pk=self.pk, status=ReforecastStatus.DONE).exists():
            raise ValueError("a completed reforecast is immutable")
        super().save(*args, **kwargs)

    @property
    def is_done(self):
        return self.status == ReforecastStatus.DONE

    @property
    def month_key(self):
        return f"{self.month:%Y-%m}"


class ReforecastForecasts(models.Model):
    """Every KPI's forecast of a snapshot (history tail and band): kept, read by no page.

    In its own table so that reading a snapshot never loads them (megabytes for a big
    organisation). Written once with the snapshot, never changed.
    """

    reforecast = models.OneToOneField(Reforecast, on_delete=models.CASCADE, primary_key=True,
                                      related_name="kpi_forecasts")
    # {code: {"cadence", "history": {...}, "forecast": {...}, "method", "flags"}}
    forecasts = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("reforecast forecasts")

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("a completed reforecast is immutable")
        super().save(*args, **kwargs)


class Scenario(models.Model):
    """A saved what-if: leaf KPIs moved by a few percent against a month's snapshot."""

    company = models.ForeignKey("teams.Company", on_delete=models.CASCADE, related_name="+")
    reforecast = models.ForeignKey(Reforecast, on_delete=models.CASCADE,
                                   related_name="scenarios")
    name = models.CharField(_("name"), max_length=120)
    shifts = models.JSONField(_("changes"), default=dict)  # {leaf code: percent, e.g. 5.0}
    probability = models.FloatField()
    p50 = models.FloatField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("scenario")
        ordering = ["reforecast", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["reforecast", "name"],
                                    name="scenario_name_unique_per_month"),
        ]

    def __str__(self):
        return self.name

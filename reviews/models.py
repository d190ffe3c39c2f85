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
    company = models.ForeignKey("kgiapp.Company", on_delete=models.CASCADE, related_name="+")
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

    class Meta:
        verbose_name = _("decision")
        ordering = ["review", "created_at", "pk"]

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
        "metrics.Customer", on_delete=models.SET_NULL, null=True, blank=True,
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


class ReviewLog(models.Model):
    review = models.ForeignKey(WeeklyReview, on_delete=models.CASCADE, related_name="log")
    action = models.CharField(max_length=10, choices=ReviewLogAction.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "-at"]

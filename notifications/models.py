"""The outbox of notifications, the company's schedule and channels, and each user's choices.

Every message is one ``Notification`` row whose key (kind, object, recipient, period,
channel) is unique, so whatever decides a message is due may run any number of times.
"""
from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    NUMBERS_DUE = "numbers_due", _("Numbers due")
    NUMBERS_REMINDER = "numbers_reminder", _("Numbers still missing (second reminder)")
    NUMBERS_ESCALATION = "numbers_escalation", _("Numbers missing in my team (managers)")
    REVIEW_DUE = "review_due", _("Weekly review not closed")
    TASK_DUE_TOMORROW = "task_due_tomorrow", _("Task due tomorrow")
    TASK_OVERDUE = "task_overdue", _("Task overdue")
    TASK_OVERDUE_WEEK = "task_overdue_week", _("Task overdue for a week (managers)")
    KR_CHECKIN_DUE = "kr_checkin_due", _("Key-result check-in due")
    ANOMALY = "anomaly", _("Unusual change on a focus KPI")
    EXECUTIVE_DIGEST = "executive_digest", _("Monday company digest")
    REFORECAST_REPORT = "reforecast_report", _("Monthly reforecast report")
    SOURCE_FAILED = "source_failed", _("A source of numbers failed (its owner)")
    REVIEW_DIGEST = "review_digest", _("Digest of a closed weekly review (the team)")
    MENTION = "mention", _("@mention in a weekly review")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the app only")
    EMAIL = "email", pgettext_lazy("channel", "Email")
    SLACK = "slack", _("Slack")
    TEAMS = "teams", _("Microsoft Teams")


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    company = models.ForeignKey("teams.Company", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    object_key = models.CharField(max_length=80)  # "team:3", "task:12", "anomaly:7:2026-11-30"
    period_key = models.CharField(max_length=20)  # "2026-W49", "2026-12-07", "2026-12"
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices,
                              default=Status.PENDING)
    language = models.CharField(max_length=5, default="ja")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    link = models.CharField(max_length=300, blank=True)  # absolute, from SITE_URL
    # {"sections": [{"title": str, "items": [str]}], "link_label": str, "attach": {...}}
    payload = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    not_before = models.DateTimeField()  # quiet hours and retry backoff push it later
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_key", "recipient", "period_key", "channel"],
                name="notification_once_per_key"),
            models.CheckConstraint(condition=Q(status__in=Status.values),
                                   name="notification_status_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values),
                                   name="notification_channel_valid"),
            models.CheckConstraint(condition=~Q(status=Status.SENT) | Q(sent_at__isnull=False),
                                   name="notification_sent_has_time"),
        ]
        indexes = [
            models.Index(fields=["status", "not_before"], name="notification_due_idx"),
            models.Index(fields=["recipient", "company", "channel", "read_at"],
                         name="notification_inbox_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.object_key} {self.period_key} → {self.recipient_id} ({self.channel})"


class CompanySchedule(models.Model):
    """When a company's reminders go out (its own time zone) and where its webhooks point.

    Webhook URLs are stored encrypted (notifications.secrets) and shown back masked.
    """

    company = models.OneToOneField("teams.Company", on_delete=models.CASCADE,
                                   primary_key=True, related_name="notification_schedule")
    numbers_weekday = models.PositiveSmallIntegerField(
        _("numbers are due on"), default=0, choices=[(d, d) for d in range(7)])
    numbers_time = models.TimeField(_("at"), default=time(9, 0))
    reminder_after_hours = models.PositiveSmallIntegerField(
        _("second reminder after (hours)"), default=24)
    escalate_after_hours = models.PositiveSmallIntegerField(
        _("tell the manager after (hours)"), default=48)
    review_weekday = models.PositiveSmallIntegerField(
        _("the weekly review is closed by"), default=4, choices=[(d, d) for d in range(7)])
    review_time = models.TimeField(_("at"), default=time(18, 0))
    daily_time = models.TimeField(_("task reminders at"), default=time(9, 0))
    digest_time = models.TimeField(_("Monday digest at"), default=time(8, 0))
    slack_webhook = models.TextField(blank=True)  # Fernet token
    teams_webhook = models.TextField(blank=True)  # Fernet token

    class Meta:
        verbose_name = _("notification schedule")
        constraints = [
            models.CheckConstraint(condition=Q(numbers_weekday__lte=6) & Q(review_weekday__lte=6),
                                   name="schedule_weekdays_valid"),
        ]

    def __str__(self):
        return f"schedule of {self.company_id}"


class UserSettings(models.Model):
    """A person's language for messages and quiet hours (in the company's time zone)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                primary_key=True, related_name="notification_settings")
    language = models.CharField(_("language of messages"), max_length=5, blank=True,
                                choices=settings.LANGUAGES)
    quiet_start = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet until"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification settings")

    def __str__(self):
        return f"settings of {self.user_id}"


class Preference(models.Model):
    """One user's choice for one kind: on or off, and the channel (email by default)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    enabled = models.BooleanField(_("on"), default=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices,
                               default=Channel.EMAIL)

    class Meta:
        verbose_name = _("notification preference")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="preference_one_per_kind"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values),
                                   name="preference_channel_valid"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.kind} {self.enabled} {self.channel}"

"""Customer success: the roster a team keeps, its history, MRR by month and at-risk rules.

Imported at the end of metrics/models.py so the models live in the ``metrics`` app.
"""
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from teams.models import Company

__all__ = [
    "Customer",
    "CustomerMrr",
    "MrrMovement",
    "MrrMovementKind",
    "SurveyKind",
    "SurveyResponse",
    "CustomerRevision",
    "CsRiskRules",
    "OnboardingStatus",
    "RosterImport",
    "RosterImportStatus",
    "VoiceComment",
    "VoiceSource",
]


class OnboardingStatus(models.TextChoices):
    COMPLETE = "complete", _("Complete")
    IN_PROGRESS = "in_progress", _("In progress")
    NOT_STARTED = "not_started", _("Not started")
    UNKNOWN = "unknown", _("Unknown")


class Customer(models.Model):
    """One row of a team's customer roster (顧客名, 契約プラン, 契約日, …)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="customers")
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="customers",
                             verbose_name=_("team"))
    external_id = models.CharField(_("customer ID"), max_length=64, blank=True)
    name = models.CharField(_("customer"), max_length=200)
    plan = models.CharField(_("plan"), max_length=100, blank=True)
    contract_date = models.DateField(_("contract date"), null=True, blank=True)
    onboarding_status = models.CharField(
        _("onboarding status"), max_length=12, choices=OnboardingStatus.choices,
        default=OnboardingStatus.UNKNOWN,
    )
    onboarding_completed_on = models.DateField(_("onboarding completed on"), null=True,
                                               blank=True)
    last_login = models.DateField(_("last login"), null=True, blank=True)
    nps = models.PositiveSmallIntegerField(
        _("NPS score"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    nps_comment = models.TextField(_("NPS comment"), blank=True)
    csat = models.PositiveSmallIntegerField(
        _("CSAT"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    mrr = models.DecimalField(_("MRR"), max_digits=14, decimal_places=0, null=True, blank=True,
                              validators=[MinValueValidator(0)])
    churn_date = models.DateField(_("churn date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("customer")
        ordering = ["team", "name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"],
                                    name="customer_name_unique_in_company"),
            models.UniqueConstraint(fields=["company", "external_id"],
                                    condition=~Q(external_id=""),
                                    name="customer_external_id_unique_in_company"),
            models.CheckConstraint(condition=Q(nps__isnull=True) | Q(nps__lte=10),
                                   name="customer_nps_0_10"),
            models.CheckConstraint(condition=Q(csat__isnull=True) | Q(csat__gte=1, csat__lte=5),
                                   name="customer_csat_1_5"),
            models.CheckConstraint(condition=Q(mrr__isnull=True) | Q(mrr__gte=0),
                                   name="customer_mrr_not_negative"),
            models.CheckConstraint(condition=Q(onboarding_status__in=OnboardingStatus.values),
                                   name="customer_onboarding_status_valid"),
            models.CheckConstraint(
                condition=Q(churn_date__isnull=True) | Q(contract_date__isnull=True)
                | Q(churn_date__gte=models.F("contract_date")),
                name="customer_churn_after_contract",
            ),
        ]
        indexes = [models.Index(fields=["team", "churn_date"], name="customer_team_churn_idx")]

    def __str__(self):
        return self.name

    @property
    def is_churned(self):
        return self.churn_date is not None


class RosterImportStatus(models.TextChoices):
    PREVIEW = "preview", _("Preview")
    COMMITTED = "committed", _("Imported")
    REJECTED = "rejected", _("Rejected")
    # A large file: read (ANALYZING) and applied (QUEUED) by a worker (customers.roster_jobs).
    ANALYZING = "analyzing", pgettext_lazy("roster import status", "Reading")
    QUEUED = "queued", _("Importing")
    FAILED = "failed", _("Failed")


class RosterImport(models.Model):
    """One uploaded roster: parsed once for the preview, applied all-or-nothing on commit."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(_("file"), max_length=255)
    encoding = models.CharField(max_length=20, blank=True)
    as_of = models.DateField(_("as of"), help_text=_("The day the roster describes."))
    status = models.CharField(max_length=10, choices=RosterImportStatus.choices,
                              default=RosterImportStatus.PREVIEW)
    rows = models.JSONField(default=list)  # parsed rows, JSON-ready (see importers.roster)
    problems = models.JSONField(default=list)  # [{row, column, code, message}] — block commit
    warnings = models.JSONField(default=list)  # imperfect data that is accepted and reported
    summary = models.JSONField(default=dict)  # {created, updated, unchanged}
    # The file, kept until a worker has read it (large uploads), and why a worker gave up.
    data = models.BinaryField(default=b"", editable=False)
    error = models.CharField(max_length=300, blank=True)
    # Who clicked "import": the worker applies it as that person, checked again there.
    commit_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                            null=True, blank=True, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("roster import")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename} ({self.status})"


class CustomerRevision(models.Model):
    """What an import or a hand edit changed on a customer: {field: [old, new]}."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="revisions")
    roster_import = models.ForeignKey(RosterImport, on_delete=models.SET_NULL, null=True,
                                      blank=True, related_name="revisions")
    changes = models.JSONField(default=dict)
    created = models.BooleanField(default=False)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]


class CustomerMrr(models.Model):
    """MRR billed from a month on, as the roster said it that month (history for NRR)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="mrr_history")
    month = models.DateField()
    mrr = models.DecimalField(max_digits=14, decimal_places=0)

    class Meta:
        ordering = ["customer", "month"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "month"], name="customer_mrr_one_per_month"),
            models.CheckConstraint(condition=Q(mrr__gte=0), name="customer_mrr_history_positive"),
        ]


class MrrMovementKind(models.TextChoices):
    NEW = "new", pgettext_lazy("MRR movement", "New")
    EXPANSION = "expansion", pgettext_lazy("MRR movement", "Expansion")
    CONTRACTION = "contraction", pgettext_lazy("MRR movement", "Contraction")
    CHURN = "churn", pgettext_lazy("MRR movement", "Churn")
    REACTIVATION = "reactivation", pgettext_lazy("MRR movement", "Reactivation")


class MrrMovement(models.Model):
    """How one customer's MRR moved in one month (engine.saas_ledger), kept once written.

    A later change of today's MRR adds or updates the row of today's month only, so the
    retention of a closed month never moves.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="movements")
    month = models.DateField()
    kind = models.CharField(max_length=12, choices=MrrMovementKind.choices)
    mrr_before = models.DecimalField(max_digits=14, decimal_places=0)
    mrr_after = models.DecimalField(max_digits=14, decimal_places=0)
    roster_import = models.ForeignKey(RosterImport, on_delete=models.SET_NULL, null=True,
                                      blank=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["customer", "month"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "month"],
                                    name="mrr_movement_one_per_month"),
            models.CheckConstraint(condition=Q(mrr_before__gte=0, mrr_after__gte=0),
                                   name="mrr_movement_not_negative"),
            models.CheckConstraint(condition=Q(kind__in=MrrMovementKind.values),
                                   name="mrr_movement_kind_valid"),
        ]


class SurveyKind(models.TextChoices):
    NPS = "nps", "NPS"
    CSAT = "csat", "CSAT"


class SurveyResponse(models.Model):
    """One NPS (0–10) or CSAT (1–5) answer with the day it was given."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="responses")
    kind = models.CharField(max_length=4, choices=SurveyKind.choices)
    score = models.PositiveSmallIntegerField()
    answered_on = models.DateField()
    roster_import = models.ForeignKey(RosterImport, on_delete=models.SET_NULL, null=True,
                                      blank=True, related_name="+")

    class Meta:
        ordering = ["customer", "kind", "answered_on"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "kind", "answered_on"],
                                    name="survey_response_one_per_day"),
            models.CheckConstraint(
                condition=Q(kind="nps", score__lte=10) | Q(kind="csat", score__gte=1,
                                                             score__lte=5),
                name="survey_response_score_in_scale"),
        ]


class CsRiskRules(models.Model):
    """A team's at-risk thresholds; an empty number switches that rule off.

    A customer is on the list when it breaks at least ``min_reasons`` rules: the defaults
    (45 days, 45 days, NPS ≤ 4, two rules) flag about one customer in ten of the demo roster,
    a list a team can work through in a week; one rule alone flagged four in ten.
    """

    team = models.OneToOneField("teams.Team", on_delete=models.CASCADE, related_name="cs_rules")
    onboarding_days = models.PositiveSmallIntegerField(
        _("onboarding not complete after (days)"), null=True, blank=True, default=45)
    no_login_days = models.PositiveSmallIntegerField(
        _("no login for (days)"), null=True, blank=True, default=45)
    nps_max = models.PositiveSmallIntegerField(
        _("NPS at most"), null=True, blank=True, default=4, validators=[MaxValueValidator(10)])
    words = models.CharField(
        _("words in notes"), max_length=400, blank=True, default="解約 不満 高い 使いにくい cancel",
        help_text=_("Separated by spaces or commas."),
    )
    min_reasons = models.PositiveSmallIntegerField(
        _("flag when at least this many rules break"), default=2,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("1 lists every customer who breaks any rule; 2 keeps the list to those "
                    "with two warning signs."))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("at-risk rules")

    @property
    def word_list(self):
        return tuple(w for w in self.words.replace(",", " ").replace("、", " ").split() if w)


class VoiceSource(models.TextChoices):
    """Where a piece of free text came from (NPS comments and notes live on the customer)."""

    NPS = "nps", _("NPS comment")
    NOTE = "note", _("Note")
    LOST_REASON = "lost_reason", _("Lost-deal reason")
    SURVEY = "survey", _("Survey comment")


class VoiceComment(models.Model):
    """Free text a team collects beside the roster: lost-deal reasons, call notes, surveys."""

    MAX_LENGTH = 2000
    STORED_SOURCES = ("lost_reason", "note", "survey")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE,
                             related_name="voice_comments")
    source = models.CharField(_("source"), max_length=12, choices=VoiceSource.choices)
    text = models.TextField(_("text"))
    said_on = models.DateField(_("date"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("voice comment")
        ordering = ["team", "-said_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(source__in=["lost_reason", "note", "survey"]),
                                   name="voice_comment_source_valid"),
        ]
        indexes = [models.Index(fields=["team", "source"], name="voice_comment_team_idx")]

    def __str__(self):
        return self.text[:40]

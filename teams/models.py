"""The organisation: companies, who belongs to them with which role, invitations, API tokens,
and the teams inside a company."""
import hashlib
import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# Top-level URL segments a company slug may not take.
RESERVED_SLUGS = frozenset(
    {"accounts", "api", "admin", "healthz", "i18n", "invite", "static", "media", "companies",
     "start", "oidc"}
)


def validate_company_slug(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(_("“%(slug)s” is reserved; choose another."), params={"slug": value})


def validate_timezone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(tz)s"), params={"tz": value})


slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    _("Use lowercase letters, digits and hyphens (at most 50)."),
)


def hash_secret(raw: str) -> str:
    """Hash a high-entropy secret (token) for storage; the raw value is never stored."""
    return hashlib.sha256(raw.encode()).hexdigest()


class Company(models.Model):
    slug = models.SlugField(
        _("URL name"), max_length=50, unique=True,
        validators=[slug_validator, validate_company_slug],
    )
    name = models.CharField(_("name"), max_length=120)
    currency = models.CharField(_("currency"), max_length=3, default="JPY")
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Tokyo", validators=[validate_timezone]
    )
    language = models.CharField(
        _("default language"), max_length=5, choices=settings.LANGUAGES, default="ja"
    )
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year starts in month"), default=1,
        choices=[(m, m) for m in range(1, 13)],
    )
    week_start = models.PositiveSmallIntegerField(
        _("weeks start on"), default=0,
        choices=[(0, _("Monday")), (6, _("Sunday"))],
        help_text=_("The first day of a week in calendars and week pickers."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fiscal_year_start_month__gte=1, fiscal_year_start_month__lte=12),
                name="company_fiscal_month_1_12",
            ),
            models.CheckConstraint(condition=models.Q(week_start__in=[0, 6]),
                                   name="company_week_start_mon_or_sun"),
        ]

    def __str__(self):
        return self.name

    @property
    def tzinfo(self):
        return zoneinfo.ZoneInfo(self.timezone)


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    EXECUTIVE = "executive", _("Executive")
    MANAGER = "manager", _("Manager")
    MEMBER = "member", _("Member")
    VIEWER = "viewer", _("Viewer")


class CompanyDataVersion(models.Model):
    """An opaque token that changes whenever the company's numbers, KPIs, targets, KGI or teams
    change; pages cache what they compute from that data under it (kgiapp.dataversion).

    Written only by database triggers (migration 0002), so bulk imports, COPY, queryset
    updates and the shell all change it; Python code never sets it.
    """

    company = models.OneToOneField(Company, on_delete=models.CASCADE, primary_key=True,
                                   related_name="data_version")
    token = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.company_id}: {self.token}"


class Membership(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        ordering = ["company", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["company", "user"], name="membership_one_per_user"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} @ {self.company} ({self.role})"


class Invitation(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    # The team the invited person joins on accepting (and their role in it), if any.
    team = models.ForeignKey("Team", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("team"))
    team_role = models.CharField(_("team role"), max_length=8, blank=True, default="",
                                 choices=[("manager", _("Manager")), ("member", _("Member"))])
    # An admin withdrew it before it was used: its link shows a page saying so.
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("invitation")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.company}"


class ApiToken(models.Model):
    """A company-scoped API token; only its SHA-256 is stored, the raw value is shown once."""

    PREFIX = "kgi_"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="api_tokens")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=80)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="first characters, to recognise a token")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # None: valid until revoked. A token also stops working when its user is deactivated.
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def generate_raw(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class Team(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="teams")
    slug = models.SlugField(_("URL name"), max_length=50, validators=[slug_validator])
    name = models.CharField(_("name"), max_length=120)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Tokyo", validators=[validate_timezone]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        ordering = ["company", "name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "slug"], name="team_slug_unique_in_company"),
            models.UniqueConstraint(fields=["company", "name"], name="team_name_unique_in_company"),
        ]

    def __str__(self):
        return self.name


class TeamRole(models.TextChoices):
    MANAGER = "manager", _("Manager")
    MEMBER = "member", _("Member")


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    role = models.CharField(
        _("team role"), max_length=16, choices=TeamRole.choices, default=TeamRole.MEMBER
    )

    class Meta:
        verbose_name = _("team membership")
        ordering = ["team", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="team_membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=TeamRole.values), name="team_membership_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} in {self.team} ({self.role})"


# --- OKRs -----------------------------------------------------------------------------


class FormSubmission(models.Model):
    """A create form that was posted, by its hidden key (``{% form_key %}``, a fresh UUID at
    every render): the same rendered form posted again finds its row and creates nothing
    (``teams.idempotency``). Rows older than a day are forgotten (``teams.tasks``)."""

    key = models.UUIDField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

"""Teams inside a company and who is in them."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kgiapp.models import Company, slug_validator, validate_timezone


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

"""Forms for the company level; rules stay in services, forms only shape input."""
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.validators import RegexValidator
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from teams.models import Company, Role, slug_validator, validate_company_slug


def timezone_choices():
    import zoneinfo

    return [(tz, tz) for tz in sorted(zoneinfo.available_timezones())
            if "/" in tz and not tz.startswith(("Etc/", "SystemV/", "posix/", "right/"))]


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)
    team = forms.ModelChoiceField(label=_("Team"), required=False, queryset=None,
                                  empty_label=_("— no team —"))
    team_role = forms.ChoiceField(label=_("Team role"), initial="member", required=False,
                                  choices=[("member", _("Member")), ("manager", _("Manager"))])

    def __init__(self, *args, company=None, **kwargs):
        super().__init__(*args, **kwargs)
        from teams.models import Team

        # Only this company's teams: another company's id is an invalid choice.
        self.fields["team"].queryset = (Team.objects.filter(company=company).order_by("name")
                                        if company is not None else Team.objects.none())


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=120)
    slug = forms.CharField(
        label=_("URL name"), max_length=50, validators=[slug_validator],
        help_text=_("Lowercase letters, digits and hyphens, e.g. sales."),
    )


class TeamMemberForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=get_user_model().objects.none())
    role = forms.ChoiceField(
        label=_("Team role"),
        choices=[("manager", _("Manager")), ("member", _("Member")), ("", _("Remove from team"))],
        required=False,
    )

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        # Only people of this company can be chosen: another company's ids are invalid.
        self.fields["user"].queryset = get_user_model().objects.filter(
            memberships__company=company
        ).order_by("username")
        self.fields["user"].label_from_instance = (
            lambda u: u.get_full_name() or u.get_username())


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=80)
    expires_in_days = forms.TypedChoiceField(
        label=_("Valid for"), coerce=int, empty_value=None, initial=90, required=False,
        choices=[(30, _("30 days")), (90, _("90 days")), (365, _("1 year")),
                 ("", _("Until revoked"))],
    )


def display_name_field():
    return forms.CharField(
        label=_("Display name"), max_length=150, required=False,
        help_text=_("Shown to colleagues instead of your username, e.g. 山田 花子."))


class DisplayNameForm(forms.Form):
    display_name = display_name_field()


class InvitationAcceptForm(UserCreationForm):
    display_name = display_name_field()

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username",)


class SignupForm(UserCreationForm):
    """The account part of sign-up: username, email, password twice."""

    email = forms.EmailField(label=_("Email"), max_length=254,
                             help_text=_("Used to reset your password."))
    display_name = display_name_field()

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")


def _company_slug_field(help_text):
    # A form field of its own: the model's SlugField would add Django's message naming “slug”.
    return forms.CharField(label=_("URL name"), max_length=50, help_text=help_text,
                           validators=[slug_validator, validate_company_slug])


class CompanyCreateForm(forms.ModelForm):
    """The company part of sign-up and of ``create_company``."""

    slug = _company_slug_field(_("Appears in every address, e.g. /acme/. Lowercase letters, "
                                 "digits and hyphens."))
    timezone = forms.ChoiceField(label=_("Time zone"), choices=timezone_choices,
                                 initial="Asia/Tokyo")

    class Meta:
        model = Company
        fields = ("name", "slug", "language", "timezone")


class CompanyProfileForm(forms.ModelForm):
    """The company's own settings, edited by its admins."""

    slug = _company_slug_field(_("Changing it changes every address of the company; old "
                                 "links stop working."))
    timezone = forms.ChoiceField(label=_("Time zone"), choices=timezone_choices)
    currency = forms.CharField(
        label=_("Currency"), max_length=3, min_length=3,
        validators=[RegexValidator(r"^[A-Za-z]{3}$", _("Use a three-letter ISO code such as JPY."))],
        help_text=_("Three-letter ISO code, e.g. JPY or USD."),
    )
    fiscal_year_start_month = forms.TypedChoiceField(
        label=_("Fiscal year starts in"), coerce=int, choices=lambda: list(MONTHS.items()),
        help_text=_("Quarters are counted from this month: with April, April–June is Q1."),
    )

    class Meta:
        model = Company
        fields = ("name", "slug", "language", "timezone", "fiscal_year_start_month",
                  "currency", "week_start")

    def clean_currency(self):
        return self.cleaned_data["currency"].upper()

"""Forms for the company level; rules stay in services, forms only shape input."""
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from teams.models import Role, slug_validator


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)


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


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=80)
    expires_in_days = forms.TypedChoiceField(
        label=_("Valid for"), coerce=int, empty_value=None, initial=90, required=False,
        choices=[(30, _("30 days")), (90, _("90 days")), (365, _("1 year")),
                 ("", _("Until revoked"))],
    )


class InvitationAcceptForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username",)

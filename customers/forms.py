"""Forms for the customer-success pages: shape only; rules live in customers/services.py."""
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import CsRiskRules, Customer

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("Roster file (CSV or Excel)"),
                           help_text=_("UTF-8 or Shift_JIS (cp932) CSV, or .xlsx."))
    as_of = forms.DateField(label=_("As of"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}),
                            help_text=_("The day the roster describes (default: today). "
                                        "MRR is recorded for that month."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload

    def clean_as_of(self):
        return self.cleaned_data.get("as_of") or timezone.localdate()


class DateInput(forms.DateInput):
    input_type = "date"


class CustomerForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = ["name", "external_id", "plan", "contract_date", "onboarding_status",
                  "onboarding_completed_on", "last_login", "nps", "nps_comment", "csat", "mrr",
                  "churn_date", "notes"]
        widgets = {f: DateInput(format="%Y-%m-%d") for f in
                   ("contract_date", "onboarding_completed_on", "last_login", "churn_date")}
        widgets["notes"] = forms.Textarea(attrs={"rows": 3})
        widgets["nps_comment"] = forms.Textarea(attrs={"rows": 2})

    def clean(self):
        data = super().clean()
        contract, churn = data.get("contract_date"), data.get("churn_date")
        if contract and churn and churn < contract:
            self.add_error("churn_date", _("The churn date is before the contract date."))
        return data


class RiskRulesForm(forms.ModelForm):
    class Meta:
        model = CsRiskRules
        fields = ["onboarding_days", "no_login_days", "nps_max", "words", "min_reasons"]


class ChurnTargetForm(forms.Form):
    target_percent = forms.DecimalField(label=_("Target churn (%)"), min_value=0,
                                        max_value=100, decimal_places=2, max_digits=5)
    quarter = forms.ChoiceField(label=_("Quarter"))

    def __init__(self, *args, quarters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = [(q.isoformat(), label) for q, label in quarters]

    def clean_quarter(self):
        from datetime import date

        return date.fromisoformat(self.cleaned_data["quarter"])

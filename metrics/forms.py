"""Forms for the KGI and KPI tree: shape only; rules live in metrics.services."""
from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.calendar import parse_month
from metrics.catalog.templates import TEMPLATES
from metrics.models import Kgi, Kpi


class KgiForm(forms.ModelForm):
    class Meta:
        model = Kgi
        fields = ["name", "kpi", "unit", "baseline", "target", "start_date", "deadline", "why"]
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"}),
                   "deadline": forms.DateInput(attrs={"type": "date"}),
                   "why": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpi"].queryset = Kpi.objects.filter(company=company).order_by("code")
        # Show 83000000, not 83000000.0000.
        for name in ("baseline", "target"):
            value = self.initial.get(name)
            if value is not None and value == value.to_integral_value():
                self.initial[name] = int(value)


class KpiForm(forms.ModelForm):
    class Meta:
        model = Kpi
        fields = ["code", "name_ja", "name_en", "definition", "formula", "unit", "direction",
                  "kind", "phase", "cadence", "aggregation", "team", "lever", "data_source",
                  "is_vanity", "allows_negative"]
        widgets = {"definition": forms.Textarea(attrs={"rows": 2}),
                   "formula": forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
                   "lever": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        from teams.models import Team

        self.fields["team"].queryset = Team.objects.filter(company=company)
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("Formulas use the code, so it cannot change.")

    def validate_unique(self):
        """The service checks the code within the company."""


class TemplateChoiceForm(forms.Form):
    template = forms.ChoiceField(label=_("Template"), choices=[])
    team = forms.ModelChoiceField(label=_("Owner team for the KPIs"), queryset=None,
                                  required=False)

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        from teams.models import Team

        japanese = translation.get_language() == "ja"
        self.fields["template"].choices = [(t.key, t.name_ja if japanese else t.name_en)
                                           for t in TEMPLATES.values()]
        self.fields["team"].queryset = Team.objects.filter(company=company)


class TargetForm(forms.Form):
    """One target: any day of its month (or quarter), the value as typed, and why."""

    period = forms.DateField(label=_("Period (any day of it)"),
                             widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Per"), choices=[("month", _("Month")),
                                                      ("quarter", _("Quarter"))],
                             initial="month")
    value = forms.CharField(label=_("Target"), max_length=40,
                            help_text=_("As in the grid: 13,600 / １５，６４０ / 1.5万"))
    reason = forms.CharField(label=_("Why"), max_length=200, required=False)


class PhasingForm(forms.Form):
    """A yearly target and how to split it into its 12 months (metrics.phasing)."""

    first = forms.CharField(label=_("The 12 months start in"), max_length=7,
                            widget=forms.TextInput(attrs={"type": "month"}),
                            help_text=_("The 12 months start here, e.g. 2027-01."))
    total = forms.CharField(label=_("Target for the 12 months"), max_length=40,
                            help_text=_("As in the grid: 9億6,000万 / 1,200,000 / ２．５％"))
    rule = forms.ChoiceField(label=_("Split"), widget=forms.RadioSelect, initial="flat",
                             choices=[("flat", _("Flat: every month the same")),
                                      ("seasonal", _("Like last year's months (seasonal)")),
                                      ("ramp", _("A ramp from the first month to the last"))])
    ramp = forms.CharField(label=_("Ramp: the last month above the first by"), max_length=20,
                           required=False, initial="30%",
                           help_text=_("Only for a ramp, e.g. 30%."))

    def clean_first(self):
        month = parse_month(self.cleaned_data["first"])
        if month is None:
            raise forms.ValidationError(_("Enter a month like 2027-01."))
        return month

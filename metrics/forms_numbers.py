"""Forms of the numbers pages: they shape input; the rules live in the services."""
from django import forms
from django.utils.translation import gettext_lazy as _

from metrics.models import Campaign, Kpi
from teams.permissions import can_manage_kpi


class ImportUploadForm(forms.Form):
    layout = forms.ChoiceField(
        label=_("The file holds"), widget=forms.RadioSelect, initial="numbers",
        choices=[("numbers", _("Numbers (actuals)")),
                 ("targets", _("Targets (one per KPI and month)"))],
        required=False,
        help_text=_("Targets use the same layouts as numbers; each date stands for its month "
                    "(2027-01-01, 2027/1, 令和9年1月)."),
    )
    file = forms.FileField(
        label=_("Spreadsheet (CSV or XLSX)"),
        help_text=_("Wide: a period column and one column per KPI (code, Japanese or English "
                    "name). Long: columns kpi, period, value. KPI per row: the KPI in the first "
                    "column and one column per period (2026-01-05, 2026年1月). UTF-8 or "
                    "Shift_JIS (cp932)."),
    )


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "start", "end", "kpis", "note"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}),
            "end": forms.DateInput(attrs={"type": "date"}),
            "kpis": forms.CheckboxSelectMultiple,
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, company, membership, **kwargs):
        super().__init__(*args, **kwargs)
        # Only KPIs of this company the member manages can be chosen; another company's or
        # another team's KPI is a form error.
        kpis = Kpi.objects.filter(company=company).order_by("code")
        managed = [kpi.pk for kpi in kpis if can_manage_kpi(membership, kpi)]
        self.fields["kpis"].queryset = kpis.filter(pk__in=managed)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end must be on or after the start."))
        return cleaned

"""OKR forms: shape only; the rules (direction, KPI of the company, linked values) are in
okr_services."""
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from metrics.models import Kpi, Unit
from okrs.models import KrDirection, KrKind, ObjectiveStatus


class ObjectiveForm(forms.Form):
    title = forms.CharField(label=_("Objective"), max_length=200)
    why = forms.CharField(label=_("Why it matters"), required=False,
                          widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(label=_("Owner"), required=False,
                                   queryset=get_user_model().objects.none())
    status = forms.ChoiceField(label=_("Status"), choices=ObjectiveStatus.choices,
                               initial=ObjectiveStatus.ACTIVE, required=False)

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        # Only people of this company: another company's user id is a form error.
        self.fields["owner"].queryset = get_user_model().objects.filter(
            memberships__company=company).order_by("username")
        self.fields["owner"].label_from_instance = (
            lambda u: u.get_full_name() or u.get_username())


class KeyResultForm(forms.Form):
    title = forms.CharField(label=_("Key result"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=KrKind.choices, initial=KrKind.METRIC)
    kpi = forms.ModelChoiceField(
        label=_("Aligned KPI"), required=False, queryset=Kpi.objects.none(),
        empty_label=_("— not linked (values from check-ins) —"),
        help_text=_("Linked: the current value follows the KPI's numbers over the quarter."),
    )
    start = forms.DecimalField(label=_("Start"), required=False, max_digits=20,
                               decimal_places=4)
    target = forms.DecimalField(label=_("Target / threshold"), max_digits=20,
                                decimal_places=4)
    direction = forms.ChoiceField(label=_("Direction"), choices=KrDirection.choices,
                                  initial=KrDirection.HIGHER, required=False)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices, initial=Unit.COUNT,
                             required=False)
    weight = forms.DecimalField(label=_("Weight"), initial=1, min_value=0.01, max_digits=6,
                                decimal_places=2, required=False)

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpi"].queryset = Kpi.objects.filter(company=company).order_by("code")
        self.fields["kpi"].label_from_instance = lambda k: f"{k.name} ({k.code})"


class CheckInForm(forms.Form):
    value = forms.DecimalField(label=_("Value"), required=False, max_digits=20,
                               decimal_places=4)
    confidence = forms.IntegerField(label=_("Confidence (0–10)"), min_value=0, max_value=10)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))

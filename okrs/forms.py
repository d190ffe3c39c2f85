"""OKR forms: shape only; the rules (direction, KPI of the company, linked values) are in
okr_services."""
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from metrics.models import Kpi, Unit
from okrs.models import KrDirection, KrKind, ObjectiveStatus
from spreadsheets import ValueProblem, parse_number


class ObjectiveForm(forms.Form):
    title = forms.CharField(label=_("Objective"), max_length=200)
    why = forms.CharField(label=_("Why it matters"), required=False,
                          widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(label=_("Owner"), required=False,
                                   queryset=get_user_model().objects.none())
    status = forms.ChoiceField(label=_("Status"), choices=ObjectiveStatus.choices,
                               initial=ObjectiveStatus.ACTIVE, required=False)

    def __init__(self, *args, company, objective=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.objective = objective
        # Only people of this company: another company's user id is a form error.
        self.fields["owner"].queryset = get_user_model().objects.filter(
            memberships__company=company).order_by("username")
        self.fields["owner"].label_from_instance = (
            lambda u: u.get_full_name() or u.get_username())

    def service_fields(self) -> dict:
        """The keyword arguments of ``objective_create`` (``objective_update`` with the
        objective given: an empty status keeps its status)."""
        data = self.cleaned_data
        fields = {"title": data["title"], "why": data["why"], "owner": data["owner"]}
        if self.objective is not None:
            fields["status"] = data["status"] or self.objective.status
        return fields


class KeyResultForm(forms.Form):
    title = forms.CharField(label=_("Key result"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=KrKind.choices, initial=KrKind.METRIC)
    kpi = forms.ModelChoiceField(
        label=_("Aligned KPI"), required=False, queryset=Kpi.objects.none(),
        empty_label=_("— not linked (values from check-ins) —"),
        help_text=_("Linked: the current value follows the KPI's numbers over the quarter."),
    )
    start = forms.CharField(label=_("Start"), required=False, max_length=40)
    target = forms.CharField(label=_("Target / threshold"), max_length=40)
    direction = forms.ChoiceField(label=_("Direction"), choices=KrDirection.choices,
                                  initial=KrDirection.HIGHER, required=False)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices, initial=Unit.COUNT,
                             required=False)
    weight = forms.DecimalField(label=_("Weight"), initial=1, min_value=0.01, max_digits=6,
                                decimal_places=2, required=False)
    scale_ok = forms.BooleanField(label=_("The scale is right"), required=False)

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpi"].queryset = Kpi.objects.filter(company=company).order_by("code")
        self.fields["kpi"].label_from_instance = lambda k: f"{k.name} ({k.code})"

    def _number(self, name):
        """Read like the grid: 13,600 / １５，６４０ / 1.5万 / 2.5% (percentage points)."""
        raw = (self.cleaned_data.get(name) or "").strip()
        if not raw:
            return None
        try:
            value = parse_number(raw).value
        except ValueProblem as problem:
            raise forms.ValidationError(str(problem.message)) from None
        if abs(value) >= Decimal("1e16"):
            raise forms.ValidationError(_("The number is too large."))
        return value.quantize(Decimal("0.0001"))

    def clean_start(self):
        return self._number("start")

    def clean_target(self):
        return self._number("target")

    def service_fields(self) -> dict:
        """The keyword arguments of ``key_result_save``; fields left empty take their defaults."""
        data = self.cleaned_data
        return {"title": data["title"], "kind": data["kind"], "kpi": data["kpi"],
                "start": data["start"], "target": data["target"],
                "direction": data["direction"] or KrDirection.HIGHER,
                "unit": data["unit"] or Unit.COUNT,
                "weight": data["weight"] if data["weight"] is not None else 1,
                "scale_confirmed": data["scale_ok"]}


class CheckInForm(forms.Form):
    value = forms.DecimalField(label=_("Value"), required=False, max_digits=20,
                               decimal_places=4)
    confidence = forms.IntegerField(label=_("Confidence (0–10)"), min_value=0, max_value=10)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def service_fields(self) -> dict:
        """The keyword arguments of ``checkin_create``."""
        return {name: self.cleaned_data[name] for name in ("value", "confidence", "comment")}

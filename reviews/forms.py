"""Forms of the review page: shape only; the rules live in reviews/services.py."""
import uuid
from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.calendar import parse_quarter
from metrics.analytics import MAX_SHIFT_PCT
from reviews.models import NoteKind, TaskStatus
from reviews.page_reads import team_owner_choices
from reviews.selectors import decision_kpi_choices, team_decision_kpis
from reviews.widget_html import RENDERER


class ReviewForm(forms.Form):
    """A form of the review page: its widgets printed by reviews.widget_html (same HTML)."""

    default_renderer = RENDERER


class NoteForm(ReviewForm):
    kind = forms.ChoiceField(choices=NoteKind.choices)
    text = forms.CharField(label=_("Note"), max_length=500)


class SummaryForm(ReviewForm):
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}),
                              required=False)


class PageChoices:
    """The KPI and owner options of a page's decision and task forms, read once for all of
    them, and only when a form is shown (a viewer's page reads neither)."""

    def __init__(self, team, owners=None):
        self.team = team
        if owners is not None:  # already read with the page's rows
            self.owners = [("", "—"), *owners]

    @cached_property
    def kpis(self):
        return [("", "—"), *decision_kpi_choices(self.team)]

    @cached_property
    def owners(self):
        return [("", "—"), *team_owner_choices(self.team)]


def _owners(team):
    return get_user_model().objects.filter(team_memberships__team=team)


class DecisionForm(ReviewForm):
    """A decision on a KPI and its first task, in one form (one click in the meeting)."""

    kpi = forms.ModelChoiceField(label=_("KPI"), queryset=None, empty_label="—")
    text = forms.CharField(label=_("Decision"), max_length=300, required=False)
    rationale = forms.CharField(label=_("Rationale"), required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    keep_course = forms.BooleanField(label=_("Keep course"), required=False)
    task_title = forms.CharField(label=_("Task"), max_length=200, required=False)
    task_owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False,
                                        empty_label="—")
    task_due = forms.DateField(label=_("Due"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))
    # A fresh key per rendered form: posting it twice records one decision.
    request_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, team, today, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["request_key"].initial = uuid.uuid4
        if self.is_bound:  # what a posted choice is checked against
            self.fields["kpi"].queryset = team_decision_kpis(team)
            self.fields["task_owner"].queryset = _owners(team)
        choices = choices or PageChoices(team)
        self.fields["kpi"].choices = lambda: choices.kpis
        self.fields["task_owner"].choices = lambda: choices.owners
        self.fields["task_due"].initial = today + timedelta(days=7)


class TaskForm(ReviewForm):
    """Another task under a recorded decision."""

    title = forms.CharField(label=_("Task"), max_length=200)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, empty_label="—")
    due_date = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, team, today, choices=None, **kwargs):
        super().__init__(*args, auto_id=False, **kwargs)
        if self.is_bound:
            self.fields["owner"].queryset = _owners(team)
        choices = choices or PageChoices(team)
        self.fields["owner"].choices = lambda: choices.owners
        self.fields["due_date"].initial = today + timedelta(days=7)


class DecisionEditForm(ReviewForm):
    text = forms.CharField(label=_("Decision"), max_length=300)
    rationale = forms.CharField(label=_("Rationale"), required=False)


class CloseForm(ReviewForm):
    no_decision_reason = forms.CharField(
        label=_("No decision needed because"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(choices=TaskStatus.choices)
    due_date = forms.DateField(required=False)
    drop_reason = forms.CharField(max_length=300, required=False)


class HistoryFilterForm(forms.Form):
    """The history filter; the quarter is the company's fiscal one (FY2026 Q4 or 2026Q4)."""

    kpi = forms.CharField(required=False)
    quarter = forms.CharField(required=False, max_length=20)

    def __init__(self, *args, fiscal_start_month: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.fiscal_start_month = fiscal_start_month

    def clean_quarter(self):
        text = self.cleaned_data["quarter"].strip()
        if not text:
            return None
        try:
            return parse_quarter(text, self.fiscal_start_month)
        except ValueError:
            raise forms.ValidationError(
                _("Write the quarter like FY2026 Q4."), code="invalid") from None


SHIFT_PREFIX = "shift-"
SHIFT_LIMIT = int(MAX_SHIFT_PCT)  # the what-if sliders go from −30 % to +30 %


class WhatIfForm(forms.Form):
    """The what-if sliders: one move of −30 … +30 % per leaf KPI of the snapshot.

    ``leaves`` is {code: name}. A field for a KPI the snapshot does not have is refused
    by name, so a stale page or a hand-made request gets a clear message, never a 500.
    """

    def __init__(self, data=None, *, leaves: dict[str, str]):
        super().__init__(data)
        # Translated once, not once per slider (600 of them in a big organisation).
        template = gettext("%(kpi)s: enter a number between −30 and +30.")
        for code, name in leaves.items():
            message = template % {"kpi": name.replace("%", "%%")}
            self.fields[SHIFT_PREFIX + code] = forms.FloatField(
                label=name, required=False, min_value=-SHIFT_LIMIT, max_value=SHIFT_LIMIT,
                error_messages={"invalid": message, "min_value": message,
                                "max_value": message})
        self.unknown = sorted(
            key[len(SHIFT_PREFIX):] for key in (data or {})
            if key.startswith(SHIFT_PREFIX) and key[len(SHIFT_PREFIX):] not in leaves)

    def clean(self):
        cleaned = super().clean()
        if self.unknown:
            raise forms.ValidationError(
                _("This month's reforecast has no KPI %(codes)s."),
                params={"codes": ", ".join(self.unknown)}, code="unknown_kpi")
        return cleaned

    def shifts(self) -> dict[str, float]:
        """{code: percent} of the KPIs that moved."""
        return {name[len(SHIFT_PREFIX):]: value for name, value in self.cleaned_data.items()
                if name.startswith(SHIFT_PREFIX) and value}

    def error_messages(self) -> list[str]:
        return [message for errors in self.errors.values() for message in errors]


class ScenarioForm(WhatIfForm):
    """The sliders plus a name, to keep a what-if next to the baseline."""

    name = forms.CharField(label=_("Scenario name"), max_length=120, required=False)

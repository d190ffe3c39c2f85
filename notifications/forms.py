"""Forms of the notification pages: a person's preferences and the company's schedule."""
from urllib.parse import urlsplit

from django import forms
from django.utils.translation import gettext_lazy as _

from metrics.sources.fetch import literal_private
from notifications import secrets
from notifications.models import Channel, CompanySchedule, Kind

WEEKDAYS = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")),
            (4, _("Friday")), (5, _("Saturday")), (6, _("Sunday"))]


class PreferencesForm(forms.Form):
    """Per kind: on/off and channel; plus language and quiet hours."""

    language = forms.ChoiceField(label=_("Language of messages"), required=False)
    quiet_start = forms.TimeField(label=_("Quiet from"), required=False,
                                  widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    quiet_end = forms.TimeField(label=_("Quiet until"), required=False,
                                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    def __init__(self, *args, preferences=None, user_settings=None, **kwargs):
        from django.conf import settings

        preferences = preferences or {}
        initial = {"language": user_settings.language if user_settings else "",
                   "quiet_start": user_settings.quiet_start if user_settings else None,
                   "quiet_end": user_settings.quiet_end if user_settings else None}
        for kind in Kind.values:
            pref = preferences.get(kind)
            initial[f"on_{kind}"] = pref.enabled if pref else True
            initial[f"channel_{kind}"] = pref.channel if pref else Channel.EMAIL
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["language"].choices = [("", _("The company's language"))] + list(
            settings.LANGUAGES)
        for kind, label in Kind.choices:
            self.fields[f"on_{kind}"] = forms.BooleanField(label=label, required=False)
            self.fields[f"channel_{kind}"] = forms.ChoiceField(
                label=_("Channel"), choices=Channel.choices)

    def clean(self):
        data = super().clean()
        if bool(data.get("quiet_start")) != bool(data.get("quiet_end")):
            raise forms.ValidationError(_("Give both ends of the quiet hours, or neither."))
        return data

    def rows(self):
        """(label, on field, channel field) per kind, for the template's table."""
        return [(label, self[f"on_{kind}"], self[f"channel_{kind}"])
                for kind, label in Kind.choices]


class ScheduleForm(forms.ModelForm):
    slack_url = forms.URLField(label=_("Slack incoming webhook URL"), required=False,
                               assume_scheme="https")
    teams_url = forms.URLField(label=_("Microsoft Teams incoming webhook URL"), required=False,
                               assume_scheme="https")
    clear_slack = forms.BooleanField(label=_("Disconnect Slack"), required=False)
    clear_teams = forms.BooleanField(label=_("Disconnect Microsoft Teams"), required=False)

    class Meta:
        model = CompanySchedule
        fields = ["numbers_weekday", "numbers_time", "reminder_after_hours",
                  "escalate_after_hours", "review_weekday", "review_time", "daily_time",
                  "digest_time"]
        widgets = {name: forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
                   for name in ["numbers_time", "review_time", "daily_time", "digest_time"]}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["numbers_weekday"] = forms.TypedChoiceField(
            label=_("Numbers are due on"), choices=WEEKDAYS, coerce=int)
        self.fields["review_weekday"] = forms.TypedChoiceField(
            label=_("The weekly review is closed by"), choices=WEEKDAYS, coerce=int)
        for name, stored in (("slack_url", self.instance.slack_webhook),
                             ("teams_url", self.instance.teams_webhook)):
            shown = secrets.mask(secrets.decrypt(stored))
            if shown:
                self.fields[name].help_text = _("Connected: %(url)s. Leave empty to keep it.") % {
                    "url": shown}

    def clean(self):
        data = super().clean()
        for name in ("slack_url", "teams_url"):
            url = data.get(name)
            if url and literal_private(urlsplit(url).hostname or ""):
                self.add_error(name, _("This address is on a private network: webhooks are only "
                                       "sent to public addresses."))
        if (data.get("escalate_after_hours") or 0) < (data.get("reminder_after_hours") or 0):
            self.add_error("escalate_after_hours",
                           _("The manager is told after the second reminder, not before it."))
        return data

    def save(self, commit=True):
        schedule = super().save(commit=False)
        for name, field in (("slack", "slack_webhook"), ("teams", "teams_webhook")):
            if self.cleaned_data.get(f"clear_{name}"):
                setattr(schedule, field, "")
            elif self.cleaned_data.get(f"{name}_url"):
                setattr(schedule, field, secrets.encrypt(self.cleaned_data[f"{name}_url"]))
        if commit:
            schedule.save()
        return schedule


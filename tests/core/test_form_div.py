"""core.form_div prints what Django's form templates print (form.as_div), byte for byte,
and leaves every form it does not know to them."""
from datetime import date

import pytest
from django import forms
from django.utils import translation

from core.form_div import form_div
from metrics.forms import PhasingForm, TargetForm


class Plain(forms.Form):
    name = forms.CharField(label="Name <b>", max_length=10, help_text="Say <i>who</i>")
    when = forms.DateField(label="When?", required=False, widget=forms.DateInput(
        attrs={"type": "date", "data-x": "a&b"}))
    count = forms.IntegerField(label="Count", initial=3, label_suffix=" →")
    pick = forms.ChoiceField(label="Pick", choices=[("a", "A & a"), ("b", "<B>")],
                             initial="b", required=False)
    secret = forms.CharField(label="", widget=forms.PasswordInput, required=False)


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("day", [date(2026, 12, 1), date(2027, 1, 1), None])
def test_the_target_form_prints_what_as_div_prints(language, day):
    with translation.override(language):
        form = TargetForm(initial={"period": day} if day else {})
        assert str(form_div(form)) == str(form.as_div())
        assert 'name="value"' in form_div(form)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_form_of_inputs_and_a_select_prints_what_as_div_prints(language):
    with translation.override(language):
        assert str(form_div(Plain())) == str(Plain().as_div())
        assert str(form_div(Plain(auto_id=False))) == str(Plain(auto_id=False).as_div())
        assert str(form_div(Plain(prefix="p", label_suffix="!"))) == str(
            Plain(prefix="p", label_suffix="!").as_div())


def test_forms_it_does_not_know_are_left_to_django():
    bound = TargetForm({"period": "x", "kind": "month", "value": ""})
    assert str(form_div(bound)) == str(bound.as_div())
    assert "errorlist" in str(form_div(bound))
    radios = PhasingForm()
    assert str(form_div(radios)) == str(radios.as_div())

    class Flagged(forms.Form):
        required_css_class = "required"
        name = forms.CharField()

    assert str(form_div(Flagged())) == str(Flagged().as_div())

    class OwnTemplate(forms.Form):
        template_name_div = "django/forms/p.html"
        name = forms.CharField()

    assert str(form_div(OwnTemplate())) == str(OwnTemplate().as_div())

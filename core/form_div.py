"""``form.as_div()`` of a simple form, printed by Python instead of Django's form templates.

Django renders a form through a dozen nested templates per field (div.html → field.html →
label.html → attrs.html, the widget's input.html → attrs.html); a four-field form cost the
KPI page about 3.5 ms, more than its reads. ``form_div`` prints the same HTML for what it
knows — a form without errors, hidden fields or field CSS classes, whose widgets are plain
inputs or single selects without groups — and hands anything else to ``form.as_div()``.
The widgets still decide the attributes and values (``get_context``); tests compare both
renderings byte for byte (tests/core/test_form_div.py).
"""
from __future__ import annotations

import html

from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as django_gettext


def attrs_html(attrs) -> str:
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_e(name)}" if value is True else f' {_e(name)}="{_e(value)}"')
    return "".join(out)


def _e(value) -> str:
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _widget(bf) -> str | None:
    """The bound field's widget as BoundField.as_widget prints it, or None if not known here."""
    widget = bf.field.widget
    if bf.field.localize or widget.template_name != type(widget).template_name:
        return None
    attrs = bf.build_widget_attrs({}, widget)
    if bf.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bf.auto_id)
    w = widget.get_context(bf.html_name, bf.value(), attrs)["widget"]
    if type(widget) is forms.Select and widget.option_template_name == \
            forms.Select.option_template_name:
        options = []
        for group_name, group_choices, _index in w["optgroups"]:
            if group_name:
                return None
            for option in group_choices:
                options.append(f'\n  <option value="{_e(option["value"])}"'
                               f'{attrs_html(option["attrs"])}>{_e(option["label"])}</option>\n')
        return f'<select name="{_e(w["name"])}"{attrs_html(w["attrs"])}>{"".join(options)}\n</select>'
    if type(widget) in (forms.TextInput, forms.DateInput, forms.NumberInput, forms.EmailInput,
                        forms.URLInput, forms.PasswordInput):
        value = "" if w["value"] is None else f' value="{_e(w["value"])}"'
        return f'<input type="{_e(w["type"])}" name="{_e(w["name"])}"{value}{attrs_html(w["attrs"])}>'
    return None


def _label(form, bf) -> str | None:
    """BoundField.label_tag() (django/forms/label.html), or None if not known here."""
    if hasattr(form, "required_css_class"):
        return None
    contents = bf.label
    suffix = bf.field.label_suffix if bf.field.label_suffix is not None else form.label_suffix
    # Django's own string, in Django's catalogue (called so makemessages leaves it there).
    if suffix and contents and contents[-1] not in django_gettext(":?.!"):
        contents = format_html("{}{}", contents, suffix)
    id_ = bf.field.widget.attrs.get("id") or bf.auto_id
    if not id_:  # no id to point at: the words without a tag
        return _e(contents)
    for_id = bf.field.widget.id_for_label(id_)
    return f'<label{attrs_html({"for": for_id} if for_id else {})}>{_e(contents)}</label>'


def _standard(form) -> bool:
    """Whether the form prints through Django's own div, field and label templates."""
    renderer = form.renderer
    return (form.template_name_div == "django/forms/div.html"
            and form.template_name_label == "django/forms/label.html"
            and renderer.form_template_name == "django/forms/div.html"
            and renderer.field_template_name == "django/forms/field.html")


def form_div(form) -> str:
    """``form.as_div()``, printed here when the form is one this module knows (see above)."""
    if form.is_bound or not _standard(form) or form.non_field_errors() or form.hidden_fields():
        return form.as_div()
    blocks = []
    for bf in form.visible_fields():
        if (bf.css_classes() or bf.use_fieldset or bf.errors or bf.field.show_hidden_initial
                or bf.field.template_name):
            return form.as_div()
        widget = _widget(bf)
        if widget is None:
            return form.as_div()
        label = _label(form, bf) if bf.label else ""
        if label is None:
            return form.as_div()
        help_text = ""
        if bf.help_text:
            help_id = f' id="{bf.auto_id}_helptext"' if bf.auto_id else ""
            help_text = f'<div class="helptext"{help_id}>{bf.help_text}</div>'
        # django/forms/field.html, which BoundField.as_field_group prints stripped.
        blocks.append(f"{label}\n\n{help_text}\n\n{widget}".strip())
    if not blocks:
        return form.as_div()
    body = "\n    \n</div>\n\n  <div>\n    ".join(blocks)
    return mark_safe(f"<div>\n    {body}\n    \n      \n    \n</div>")  # noqa: S308

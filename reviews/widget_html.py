"""The review forms' widgets printed in Python, byte for byte what Django's templates print.

The weekly review page shows up to a dozen form fields (the decision form's KPI and owner
selects, each decision's task form) and their error lists. Django renders each through
its form template engine — a template, an include per attribute set and one per option —
which cost the page more than its reads. ``ReviewFormRenderer`` prints the widget and
error-list templates those fields use from the context Django's widgets build (so choices,
attributes, ``selected``, ``required`` and ``aria-invalid`` are Django's own), and hands
any other template to Django's renderer.
"""
from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from core.form_div import attrs_html


def _text(value) -> str:
    """``{{ value }}``: localized, then escaped unless safe."""
    if not isinstance(value, str):
        value = str(localize(value))
    return conditional_escape(value)


def _s(value) -> str:
    """``{{ value|stringformat:'s' }}``."""
    if isinstance(value, tuple):
        value = str(value)
    text = str(value)
    return text if hasattr(value, "__html__") else conditional_escape(text)


def _input(widget) -> str:
    """django/forms/widgets/input.html (text, date, hidden, … include it)."""
    value = widget["value"]
    shown = f' value="{_s(value)}"' if value is not None else ""
    return (f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}'
            f'{attrs_html(widget["attrs"])}>')


def _option(option) -> str:
    return (f'<option value="{_s(option["value"])}"{attrs_html(option["attrs"])}>'
            f'{_text(option["label"])}</option>')


def _select(widget) -> str:
    """django/forms/widgets/select.html with its options (all of select_option.html)."""
    out = [f'<select name="{_text(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != "django/forms/widgets/select_option.html":
                raise _Unknown
            # select_option.html ends with a newline, which its include keeps.
            out.append(f"\n  {_option(option)}\n")
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _textarea(widget) -> str:
    value = widget["value"]
    return (f'<textarea name="{_text(widget["name"])}"{attrs_html(widget["attrs"])}>\n'
            f'{_text(value) if value else ""}</textarea>')


def _errors(context) -> str:
    """django/forms/errors/list/default.html (= ul.html)."""
    errors = context["errors"]
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    ident = f' id="{_text(field_id)}_error"' if field_id else ""
    items = "".join(f"<li>{_text(error)}</li>" for error in errors)
    return f'<ul class="{_text(context["error_class"])}"{ident}>{items}</ul>'


class _Unknown(Exception):
    """A template this module does not print: Django's renderer prints it."""


WIDGETS = {f"django/forms/widgets/{name}.html": _input for name in (
    "input", "text", "date", "hidden", "number", "email", "password", "url")}
WIDGETS.update({"django/forms/widgets/select.html": _select,
                "django/forms/widgets/textarea.html": _textarea})
ERRORS = ("django/forms/errors/list/default.html", "django/forms/errors/list/ul.html")


class ReviewFormRenderer(DjangoTemplates):
    """Django's renderer, with the review forms' widgets and error lists printed in Python."""

    def render(self, template_name, context, request=None):
        try:
            if template_name in ERRORS:
                return mark_safe(_errors(context))  # noqa: S308 — every value is escaped
            printer = WIDGETS.get(template_name)
            if printer is not None:
                return mark_safe(printer(context["widget"]))  # noqa: S308 — escaped
        except _Unknown:
            pass
        return super().render(template_name, context, request)


RENDERER = ReviewFormRenderer()

"""Template helpers every page uses: unit formatting, SVG sparklines, capability checks."""
import uuid

from django import template
from django.utils.html import format_html

from core import formatting
from kgiapp import dashboard_html, north_star_html
from kgiapp.navigation import main_nav as render_main_nav
from metrics.card_html import card_words, render_card, render_phase, render_table_row
from teams.permissions import can as membership_can

register = template.Library()


@register.filter
def jpy(value):
    return formatting.format_jpy(value)


@register.filter
def jpy_compact(value):
    return formatting.format_jpy(value, compact=True)


@register.filter
def man_yen(value):
    return formatting.format_man_yen(value)


@register.filter
def unit_value(value, unit):
    return formatting.format_value(value, unit)


@register.filter
def unit_value_compact(value, unit):
    return formatting.format_value(value, unit, compact=True)


@register.filter
def card_value(value, unit):
    """A KPI value on a card: yen compact (¥8,300万), every other unit in full (31,234)."""
    return formatting.format_card_value(value, unit)


@register.filter
def change(value, unit):
    """{{ row.change|change:row.change_unit }} → +3.2 % or −0.3 pt."""
    return formatting.format_change(value, unit)


@register.simple_tag
def form_key():
    """The hidden idempotency key of a create form: fresh at every render (teams.idempotency)."""
    return format_html('<input type="hidden" name="form_key" value="{}">', uuid.uuid4())


@register.simple_tag(takes_context=True)
def can(context, capability, team=None):
    """{% can "manage_team" team as allowed %}: the one role check, usable in templates."""
    request = context.get("request")
    return membership_can(getattr(request, "membership", None), capability, team=team)


@register.simple_tag
def sparkline(values, width=96, height=24, css_class="sparkline"):
    """An inline SVG polyline of the values (no JavaScript, CSP-safe); None gaps are skipped."""
    return formatting.sparkline_svg(values, width, height, css_class)


@register.simple_tag(takes_context=True)
def kpi_card(context, row):
    """{% kpi_card row %}: one KPI card (metrics.card_html), its words translated once a page."""
    return render_card(row, _words(context))


def _words(context):
    words = context.render_context.get("kpi_card_words")
    if words is None:
        words = context.render_context["kpi_card_words"] = card_words()
    return words


@register.simple_tag(takes_context=True)
def kpi_phase(context, phase, cadence):
    """{% kpi_phase p layer.cadence %}: one dashboard column with its cards (metrics.card_html)."""
    return render_phase(phase, cadence, _words(context))


@register.simple_tag(takes_context=True)
def main_nav(context):
    """{% main_nav %}: the company page's main navigation (kgiapp.navigation)."""
    request = context.get("request")
    return render_main_nav(context["current_company"].slug, context.get("nav_current", ""),
                           context.get("nav_name", ""), getattr(request, "membership", None))


@register.simple_tag
def team_options(teams, team):
    """{% team_options teams team %}: the dashboard's team filter options (kgiapp.dashboard_html)."""
    return dashboard_html.team_options(teams, team)


@register.simple_tag
def first_run_section(steps):
    """{% first_run_section first_run %}: the admin's first-run path (kgiapp.dashboard_html)."""
    return dashboard_html.first_run_section(steps)


@register.simple_tag
def north_star_section(ns):
    """{% north_star_section north_star %}: the dashboard's North Star (kgiapp.north_star_html)."""
    return north_star_html.north_star_section(ns)


@register.simple_tag
def checklist_section(items):
    """{% checklist_section checklist %}: the 3-minute checklist (kgiapp.dashboard_html)."""
    return dashboard_html.checklist_section(items)


@register.simple_tag
def kpi_table_row(row):
    """{% kpi_table_row row %}: one KPI in a monitoring table (metrics.card_html)."""
    return render_table_row(row)

"""Template helpers every page uses: unit formatting, SVG sparklines, capability checks."""
import uuid

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core import formatting
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
    points = formatting.spark_points(values)
    box_w, box_h = formatting.SPARK_BOX
    if not points:
        return format_html('<svg class="{}" width="{}" height="{}" aria-hidden="true"></svg>',
                           css_class, width, height)
    return format_html(
        '<svg class="{}" width="{}" height="{}" viewBox="0 0 {} {}" preserveAspectRatio="none"'
        ' aria-hidden="true"><polyline fill="none" stroke="currentColor" stroke-width="1.5"'
        ' vector-effect="non-scaling-stroke" points="{}"/></svg>',
        css_class, width, height, box_w, box_h, points,
    )


class DataCacheNode(template.Node):
    def __init__(self, nodelist, key):
        self.nodelist, self.key = nodelist, key

    def render(self, context):
        from teams.dataversion import cache_get, cache_set

        key = self.key.resolve(context)
        if not key:
            return self.nodelist.render(context)
        html = cache_get(key)
        if html is None:
            html = self.nodelist.render(context)
            cache_set(key, html)
        return mark_safe(html)  # noqa: S308 — what this node rendered itself, escaped then


@register.tag
def datacache(parser, token):
    """{% datacache key %}…{% enddatacache %}: the HTML cached under ``key``, a data-token key.

    The key comes from kgiapp.dataversion.cache_key, so the fragment is rendered again
    after any write to the company's data; a false key (no token) renders it every time.
    """
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% datacache key %} takes one argument")
    nodelist = parser.parse(("enddatacache",))
    parser.delete_first_token()
    return DataCacheNode(nodelist, parser.compile_filter(bits[1]))


class CardCacheNode(template.Node):
    def __init__(self, nodelist, row):
        self.nodelist, self.row = nodelist, row

    def render(self, context):
        from kgiapp.card_cache import store

        row = self.row.resolve(context)
        key = getattr(row, "card_key", None)
        html = getattr(row, "card_html", None)
        if html is None:
            html = self.nodelist.render(context)
            if key:
                store(key, html)
        return mark_safe(html)  # noqa: S308 — what this node rendered itself, escaped then


@register.tag
def cardcache(parser, token):
    """{% cardcache row %}…{% endcardcache %}: the card's HTML kept under ``row.card_key``
    (kgiapp.card_cache: a hash of everything the row holds), read by ``prefetch``."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% cardcache row %} takes one argument")
    nodelist = parser.parse(("endcardcache",))
    parser.delete_first_token()
    return CardCacheNode(nodelist, parser.compile_filter(bits[1]))

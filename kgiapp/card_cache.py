"""Rendered KPI cards, cached by what they print (content-addressed).

A card's HTML is kept under a hash of everything on its row (value, change, status,
sparkline, anomalies, names…), the language, today and the card template's source, so a
key can never hold another card's HTML and nothing is invalidated by hand: a write that
changes a KPI's fact changes its row, hence its key, and only that card is rendered
again. The numbers themselves are always read from the facts; this only spares the
template engine the cards that did not change. ``prefetch`` reads the page's cards in
one round trip (this process's copy first, then the shared cache).
"""
from __future__ import annotations

import hashlib

from django.template.loader import get_template
from django.utils import timezone, translation

CARD_TEMPLATE = "metrics/_kpi_card.html"
_source_hash: dict[str, str] = {}
SECONDS = 3600


def _template_hash(name=CARD_TEMPLATE):
    if name not in _source_hash:
        template = get_template(name)
        source = getattr(getattr(template, "template", None), "source", "") or name
        _source_hash[name] = hashlib.sha1(source.encode()).hexdigest()[:12]  # noqa: S324
    return _source_hash[name]


def card_key(row, name=CARD_TEMPLATE):
    # Every attribute but the raw numbers behind the sparkline (``spark`` holds its points).
    state = repr(sorted((k, v) for k, v in vars(row).items()
                        if k not in ("points", "series", "card_key", "card_html")))
    digest = hashlib.sha1(state.encode()).hexdigest()  # noqa: S324 — a cache key, not a secret
    return (f"card:{_template_hash(name)}:{translation.get_language()}:"
            f"{timezone.localdate().isoformat()}:{digest}")


def prefetch(rows, name=CARD_TEMPLATE):
    """Give each row ``card_key`` and, when cached, ``card_html``."""
    from teams.dataversion import _caches

    for row in rows:
        row.card_key = card_key(row, name)
        row.card_html = None
    if not rows:
        return rows
    local, shared = _caches()
    keys = [row.card_key for row in rows]
    found = local.get_many(keys) if local is not None else {}
    missing = [k for k in keys if k not in found]
    if missing:
        more = shared.get_many(missing)
        if more and local is not None:
            local.set_many(more, SECONDS)
        found.update(more)
    for row in rows:
        row.card_html = found.get(row.card_key)
    return rows


def store(key, html):
    from teams.dataversion import _caches

    local, shared = _caches()
    shared.set(key, html, SECONDS)
    if local is not None:
        local.set(key, html, SECONDS)

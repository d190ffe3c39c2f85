"""The main navigation of every company page, printed by one Python function.

Through the template engine (an include, twenty ``{% url %}`` tags, three ``{% can %}``
checks) it cost every company page about 1.3 ms, more than a page's own reads; the bare
pages carry no navigation. ``main_nav`` prints the same HTML (tests/kgiapp/
test_main_nav.py keeps the template it replaced as the reference): each link's path is
reversed once per process with a placeholder company and filled in per page, and its
words are translated once per language.
"""
from __future__ import annotations

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, pgettext

from metrics.card_html import escape
from teams.permissions import can

# A company slug no company can have (the slug converter accepts it; reversing with it
# gives each link's path around the place the company goes).
_PLACEHOLDER = "kgi-company-placeholder-0"
_paths: dict[tuple, dict[str, tuple[str, str]]] = {}
_words: dict[str, dict[str, str]] = {}

# (url name, the word's key): the links of the menu, in order.
_TOP = [("dashboard", "dashboard"), ("reforecast-latest", "reforecast"), ("kgi-tree", "tree"),
        ("review-mine", "review"), ("okr-home", "okr"), ("numbers-home", "numbers"),
        ("customers-home", "customers")]
_NAMES = [name for name, _section in _TOP] + [
    "my-tasks", "inbox", "notification-centre", "notification-preferences", "import-upload",
    "campaign-list", "data-quality", "source-list", "alignment-map", "company-settings",
    "notification-schedule"]


def _link_paths(names=_NAMES) -> dict[str, tuple[str, str]]:
    """{url name: (the path before the company, the path after it)}, per URL conf and
    script prefix (each name reversed once per process)."""
    key = (get_urlconf(), get_script_prefix())
    paths = _paths.setdefault(key, {})
    for name in names:
        if name not in paths:
            before, _slug, after = reverse(name, args=[_PLACEHOLDER]).partition(_PLACEHOLDER)
            paths[name] = (before, after)
    return paths


def company_url(name, company_slug) -> str:
    """``reverse(name, kwargs={"company": company_slug})`` of a page whose only argument is
    the company, without reversing on every call."""
    before, after = _link_paths((name,))[name]
    return f"{before}{company_slug}{after}"


def _nav_words() -> dict[str, str]:
    """The menu's words in the active language, escaped (gettext's catalogues do not change
    while the process runs)."""
    language = get_language() or ""
    words = _words.get(language)
    if words is None:
        words = {key: escape(text) for key, text in (
            ("dashboard", gettext("Dashboard")), ("reforecast", pgettext("nav", "Reforecast")),
            ("tree", gettext("KPI tree")), ("review", gettext("Weekly review")),
            ("okr", gettext("OKR")), ("numbers", gettext("Enter numbers")),
            ("customers", gettext("Customers")), ("more", pgettext("nav", "More")),
            ("mine", pgettext("nav", "My work")), ("my-tasks", gettext("My tasks")),
            ("inbox", gettext("Inbox")), ("notification-centre", gettext("Notifications")),
            ("notification-preferences", gettext("Notification preferences")),
            ("group-numbers", pgettext("nav", "Numbers")),
            ("import-upload", pgettext("nav", "Import a file")),
            ("campaign-list", gettext("Campaigns")), ("data-quality", gettext("Data quality")),
            ("source-list", gettext("Sources")), ("group-company", pgettext("nav", "Company")),
            ("alignment-map", pgettext("nav", "Alignment map")),
            ("company-settings", gettext("Settings")),
            ("notification-schedule", gettext("Notification schedule")))}
        _words[language] = words
    return words


_CURRENT = ' aria-current="page"'


def main_nav(company_slug, section, url_name, membership) -> str:
    """The main navigation's links for a page of the company with that slug (``section``
    and ``url_name`` from kgiapp.context_processors, the links a role may not use left
    out), safe HTML."""
    paths, w = _link_paths(), _nav_words()
    slug = escape(company_slug)

    def href(name):
        before, after = paths[name]
        return f"{escape(before)}{slug}{escape(after)}"

    def item(name, current, key=None):
        here = _CURRENT if current else ""
        return f'<li><a href="{href(name)}"{here}>{w[key or name]}</a></li>'

    out = ["\n"]
    for name, key in _TOP:
        here = _CURRENT if section == key else ""
        out.append(f'<a href="{href(name)}"{here}>{w[key]}</a>\n')
    more = " nav-more-current" if section == "more" else ""
    out.append(
        f'<details class="menu nav-more{more}">\n  <summary>{w["more"]}</summary>\n'
        f'  <div class="menu-body">\n'
        f'    <p class="menu-label" id="nav-mine">{w["mine"]}</p>\n'
        f'    <ul aria-labelledby="nav-mine">\n')
    for name in ("my-tasks", "inbox", "notification-centre", "notification-preferences"):
        out.append(f"      {item(name, url_name == name)}\n")
    out.append(f'    </ul>\n    <p class="menu-label" id="nav-numbers">{w["group-numbers"]}</p>\n'
               f'    <ul aria-labelledby="nav-numbers">\n      ')
    if can(membership, "contribute"):
        out.append(item("import-upload", url_name in ("import-upload", "import-preview")))
    out.append(f'\n      {item("campaign-list", url_name[:8] == "campaign")}\n'
               f'      {item("data-quality", url_name == "data-quality")}\n      ')
    if can(membership, "manage_team"):
        out.append(item("source-list", url_name == "source-list"))
    out.append(f'\n    </ul>\n    <p class="menu-label" id="nav-company">{w["group-company"]}</p>\n'
               f'    <ul aria-labelledby="nav-company">\n'
               f'      {item("alignment-map", url_name == "alignment-map")}\n      ')
    if can(membership, "admin"):
        out.append(f'{item("company-settings", url_name == "company-settings")}\n      '
                   f'{item("notification-schedule", url_name == "notification-schedule")}')
    out.append("\n    </ul>\n  </div>\n</details>\n\n")
    return mark_safe("".join(out))  # noqa: S308 — every value above is escaped

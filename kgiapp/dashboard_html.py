"""Parts of the dashboard printed by Python instead of template loops: the team filter's
options, the admin's first-run path and the 3-minute checklist.

Each loop cost the page a context push and a dozen lookups, tags and translations per item
(about 2.5 ms together, more than the page's reads). These print the HTML the template
printed (tests/kgiapp/test_dashboard_html.py keeps the template as the reference), every
value escaped as the template engine escapes it.
"""
from __future__ import annotations

from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from metrics.card_html import escape


def team_options(teams, team) -> str:
    """The team filter's ``<option>`` of each team (the chosen one selected)."""
    chosen = team.pk if team else None
    return mark_safe("".join([  # noqa: S308 — every value is escaped
        f'<option value="{escape(t.slug)}"{" selected" if chosen == t.pk else ""}>'
        f'{escape(t.name)}</option>' for t in teams]))


def first_run_section(steps) -> str:
    """The first-run path (kgiapp.first_run.first_run_steps) as a card."""
    done, todo = escape(gettext("done")), escape(gettext("to do"))
    intro = escape(gettext("Six steps from an empty company to the first attainment "
                           "probability. Each one shows ✓ once the data is there."))
    out = [f'<section class="card first-run" aria-labelledby="first-run-title" '
           f'data-testid="first-run">\n'
           f'  <h2 id="first-run-title">{escape(gettext("Getting started"))}</h2>\n'
           f'  <p class="muted">{intro}</p>\n'
           f'  <ol class="checklist-items">\n    ']
    for step in steps:
        number = escape(step.number)
        out.append(f'\n    <li class="{"step-done" if step.done else "step-todo"}" '
                   f'data-step="{number}">\n'
                   f'      <span class="check-mark" aria-hidden="true">'
                   f'{"✓" if step.done else number}</span>\n'
                   f'      <span class="visually-hidden">{done if step.done else todo}</span>\n'
                   f'      <span class="check-title">{escape(step.title)}</span>\n      ')
        if not step.done:
            out.append(f'<span class="muted small check-detail">{escape(step.detail)}</span>\n'
                       f'      <a class="check-fix" href="{escape(step.url)}">'
                       f'{escape(step.action)} →</a>\n      ')
            if step.extra_url:
                out.append(f'<a class="check-fix" href="{escape(step.extra_url)}" '
                           f'data-testid="step-extra-{number}">{escape(step.extra_action)} ↓</a>')
            out.append("\n      ")
            if step.needs:
                out.append('<ul class="step-needs" data-testid="step-needs">')
                out.extend(f'<li>{escape(text)} · <a href="{escape(fix_url)}">{escape(label)}'
                           f'</a></li>' for text, fix_url, label in step.needs)
                out.append("</ul>")
        out.append("\n    </li>\n    ")
    out.append("\n  </ol>\n</section>")
    return mark_safe("".join(out))  # noqa: S308 — every value is escaped


def checklist_section(items) -> str:
    """The 3-minute checklist (kgiapp.checklist.checklist), open while an item is not ok."""
    done, todo = escape(gettext("done")), escape(gettext("to do"))
    opened = "".join(" open" for item in items if not item.ok)
    out = [f'<details class="card checklist"{opened}>\n'
           f'  <summary><h2>{escape(gettext("3-minute checklist"))}</h2></summary>\n'
           f'  <ol class="checklist-items">\n    ']
    for item in items:
        out.append(f'\n    <li class="{"ok" if item.ok else "ng"}" '
                   f'data-item="{escape(item.number)}">\n'
                   f'      <span class="check-mark" aria-hidden="true">'
                   f'{"✓" if item.ok else "✗"}</span>\n'
                   f'      <span class="visually-hidden">{done if item.ok else todo}</span>\n'
                   f'      <span class="check-title">{escape(item.title)}</span>\n      ')
        if item.detail:
            out.append(f'<span class="muted small check-detail">{escape(item.detail)}</span>')
        out.append("\n      ")
        if not item.ok and item.fix_url:
            out.append(f'<a class="check-fix" href="{escape(item.fix_url)}">'
                       f'{escape(item.fix_label)} →</a>')
        out.append("\n    </li>\n    ")
    out.append("\n  </ol>\n</details>")
    return mark_safe("".join(out))  # noqa: S308 — every value is escaped

"""A page that says what is missing and links to the step that fills it.

Used where a page cannot be shown yet (no team, no customers): instead of a silent
redirect, the person learns why and where to go.
"""
from django.shortcuts import render


def render_empty(request, *, title, message, fix_url="", fix_label="", status=200):
    return render(request, "core/empty_state.html", {
        "title": title, "message": message, "fix_url": fix_url, "fix_label": fix_label,
    }, status=status)

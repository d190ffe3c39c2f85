"""A team page asked for in a company with no team yet: say so and link to creating one."""
from django.urls import reverse
from django.utils.translation import gettext as _

from core.empty import render_empty


def render_no_team(request, *, title, message):
    return render_empty(
        request, title=title, message=message,
        fix_url=reverse("company-settings", args=[request.company.slug]) + "#teams",
        fix_label=_("Create a team"))

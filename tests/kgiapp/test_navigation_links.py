"""Every link the layout offers a role leads somewhere that role may go (no 403/404 dead ends)."""
import re

import pytest
from django.test import Client
from django.urls import reverse

ROLES = ["admin", "executive", "manager", "member", "viewer"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_navigation_offers_no_link_the_role_cannot_open(world, role):
    client = Client()
    client.force_login(world.users[role])
    html = client.get(reverse("dashboard", args=[world.company.slug])).content.decode()
    nav = html[html.index("<nav"):html.index("</header>")] if "</header>" in html else html
    hrefs = sorted({h for h in re.findall(r'href="(/[^"#?]*)"', nav)
                    if h.startswith(f"/{world.company.slug}/")})
    assert hrefs, "the navigation links to company pages"
    dead = {h: s for h in hrefs if (s := client.get(h).status_code) in (403, 404)}
    assert dead == {}

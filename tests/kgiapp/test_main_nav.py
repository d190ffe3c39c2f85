"""The main navigation printed by kgiapp.navigation is the HTML the template printed, for
every role, page and language, and the pages show it."""
from types import SimpleNamespace

import pytest
from django.template import engines
from django.test import Client
from django.utils import translation

from kgiapp.context_processors import nav_section
from kgiapp.navigation import main_nav
from teams.models import Membership

# templates/kgiapp/_mainnav.html until main_nav replaced it (kept verbatim as the reference
# the Python must print byte for byte).
OLD_NAV = """{% load i18n %}{% with c=current_company.slug cur=nav_current %}
<a href="{% url 'dashboard' c %}"{% if cur == "dashboard" %} aria-current="page"{% endif %}>{% translate "Dashboard" %}</a>
<a href="{% url 'reforecast-latest' c %}"{% if cur == "reforecast" %} aria-current="page"{% endif %}>{% translate "Reforecast" context "nav" %}</a>
<a href="{% url 'kgi-tree' c %}"{% if cur == "tree" %} aria-current="page"{% endif %}>{% translate "KPI tree" %}</a>
<a href="{% url 'review-mine' c %}"{% if cur == "review" %} aria-current="page"{% endif %}>{% translate "Weekly review" %}</a>
<a href="{% url 'okr-home' c %}"{% if cur == "okr" %} aria-current="page"{% endif %}>{% translate "OKR" %}</a>
<a href="{% url 'numbers-home' c %}"{% if cur == "numbers" %} aria-current="page"{% endif %}>{% translate "Enter numbers" %}</a>
<a href="{% url 'customers-home' c %}"{% if cur == "customers" %} aria-current="page"{% endif %}>{% translate "Customers" %}</a>
<details class="menu nav-more{% if cur == "more" %} nav-more-current{% endif %}">
  <summary>{% translate "More" context "nav" %}</summary>
  <div class="menu-body">
    <p class="menu-label" id="nav-mine">{% translate "My work" context "nav" %}</p>
    <ul aria-labelledby="nav-mine">
      <li><a href="{% url 'my-tasks' c %}"{% if nav_name == "my-tasks" %} aria-current="page"{% endif %}>{% translate "My tasks" %}</a></li>
      <li><a href="{% url 'inbox' c %}"{% if nav_name == "inbox" %} aria-current="page"{% endif %}>{% translate "Inbox" %}</a></li>
      <li><a href="{% url 'notification-centre' c %}"{% if nav_name == "notification-centre" %} aria-current="page"{% endif %}>{% translate "Notifications" %}</a></li>
      <li><a href="{% url 'notification-preferences' c %}"{% if nav_name == "notification-preferences" %} aria-current="page"{% endif %}>{% translate "Notification preferences" %}</a></li>
    </ul>
    <p class="menu-label" id="nav-numbers">{% translate "Numbers" context "nav" %}</p>
    <ul aria-labelledby="nav-numbers">
      {% can "contribute" as may_import %}{% if may_import %}<li><a href="{% url 'import-upload' c %}"{% if nav_name == "import-upload" or nav_name == "import-preview" %} aria-current="page"{% endif %}>{% translate "Import a file" context "nav" %}</a></li>{% endif %}
      <li><a href="{% url 'campaign-list' c %}"{% if nav_name|slice:":8" == "campaign" %} aria-current="page"{% endif %}>{% translate "Campaigns" %}</a></li>
      <li><a href="{% url 'data-quality' c %}"{% if nav_name == "data-quality" %} aria-current="page"{% endif %}>{% translate "Data quality" %}</a></li>
      {% can "manage_team" as may_source %}{% if may_source %}<li><a href="{% url 'source-list' c %}"{% if nav_name == "source-list" %} aria-current="page"{% endif %}>{% translate "Sources" %}</a></li>{% endif %}
    </ul>
    <p class="menu-label" id="nav-company">{% translate "Company" context "nav" %}</p>
    <ul aria-labelledby="nav-company">
      <li><a href="{% url 'alignment-map' c %}"{% if nav_name == "alignment-map" %} aria-current="page"{% endif %}>{% translate "Alignment map" context "nav" %}</a></li>
      {% can "admin" as is_admin %}{% if is_admin %}<li><a href="{% url 'company-settings' c %}"{% if nav_name == "company-settings" %} aria-current="page"{% endif %}>{% translate "Settings" %}</a></li>
      <li><a href="{% url 'notification-schedule' c %}"{% if nav_name == "notification-schedule" %} aria-current="page"{% endif %}>{% translate "Notification schedule" %}</a></li>{% endif %}
    </ul>
  </div>
</details>
{% endwith %}
"""

PAGES = ["dashboard", "team-detail", "reforecast-latest", "review-detail", "kgi-tree", "okr-home",
         "numbers-grid", "customers-home", "my-tasks", "inbox", "notification-centre",
         "notification-preferences", "import-upload", "import-preview", "campaign-edit",
         "data-quality", "source-list", "alignment-map", "company-settings",
         "notification-schedule", "account-profile", ""]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ja", "en"])
def test_main_nav_prints_what_the_template_printed(world, language):
    template = engines["django"].from_string(OLD_NAV)
    memberships = Membership.objects.filter(company=world.company).select_related("company")
    assert len(memberships) == 5
    with translation.override(language):
        for membership in memberships:
            for name in PAGES:
                request = SimpleNamespace(membership=membership)
                expected = template.render({
                    "current_company": world.company, "nav_current": nav_section(name),
                    "nav_name": name, "request": request})
                assert main_nav("acme", nav_section(name), name, membership) == expected, (
                    membership.role, name)


@pytest.mark.django_db
def test_the_dashboard_shows_the_main_nav_with_its_entry_current(world):
    client = Client()
    client.force_login(world.users["admin"])
    html = client.get("/acme/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    nav = html[html.index('<nav class="mainnav"'):html.index("</nav>")]
    assert '<a href="/acme/" aria-current="page">' in nav
    assert '<a href="/acme/settings/">' in nav or 'href="/acme/settings/' in nav
    assert nav.count("aria-current") == 1


def test_company_url_is_what_reverse_gives():
    from django.urls import reverse

    from kgiapp.navigation import company_url

    for name in ("company-settings", "kgi-templates", "kgi-edit", "kgi-tree", "import-upload",
                 "numbers-template", "reforecast-latest", "dashboard"):
        for slug in ("acme", "a-b_c9"):
            assert company_url(name, slug) == reverse(name, kwargs={"company": slug})

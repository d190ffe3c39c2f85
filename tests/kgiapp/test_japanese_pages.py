"""Every main page of the demo company, rendered in Japanese, carries no English sentence and
no internal code: each user-facing string went through gettext (codes, numbers and the
users' own data excepted)."""
import re
import zoneinfo
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import reverse

from customers.models import Customer
from kgiapp.management.commands.seed_demo import run_steps
from metrics.models import Kpi
from teams.models import Team

# Two or more ASCII words in a row, or an internal snake_case code.
ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[ ,.'’:-]+[A-Za-z]{2,})+|\b[a-z]+_[a-z_]+\b")
# Terms the Japanese pages use as they are.
TERMS = ["Key Result", "North Star", "kgiapp", "A/B", "KGI", "KPI", "OKR", "CSV", "XLSX", "NPS",
         "CSAT", "NRR", "GRR", "LTV", "MRR", "ARPA", "CVR", "API", "FY"]
ZONES = zoneinfo.available_timezones()
COMPANY_PAGES = ["dashboard", "kgi-tree", "kgi-edit", "kgi-templates", "numbers-home",
                 "import-upload", "data-quality", "campaign-list", "reforecast-latest",
                 "okr-home", "alignment-map", "customers-home", "cs-definitions", "my-tasks",
                 "inbox", "company-settings"]
TEAM_PAGES = ["team-detail", "numbers-grid", "review-this-week", "review-history", "okr-list",
              "customer-list", "cs-metrics", "cs-at-risk", "cs-causal", "cs-voice"]


class _Text(HTMLParser):
    SKIP = {"script", "style", "code", "title", "kbd", "samp"}
    VOID = {"br", "input", "meta", "link", "img", "hr", "col", "source", "wbr", "area"}

    def __init__(self):
        super().__init__()
        self.stack, self.texts = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data):
        if data.strip() and not self.SKIP.intersection(self.stack):
            self.texts.append(data.strip())


@pytest.fixture(scope="module")
def demo_pages(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        company = run_steps("demo")
        urls = [reverse(name, args=["demo"]) for name in COMPANY_PAGES]
        for team in Team.objects.filter(company=company):
            urls += [reverse(name, args=["demo", team.slug]) for name in TEAM_PAGES]
        urls += [reverse("kpi-detail", args=["demo", code]) for code in
                 Kpi.objects.filter(company=company).values_list("code", flat=True)]
        users = get_user_model().objects.filter(memberships__company=company)
        data = {u.get_full_name() for u in users} | {u.username for u in users}
        data |= set(Customer.objects.filter(company=company).values_list("name", flat=True))
        data |= set(Kpi.objects.filter(company=company).values_list("code", flat=True))
        client = Client()
        client.force_login(users.get(username="demo-admin"))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
        pages = {url: client.get(url, follow=True) for url in urls}
        yield pages, sorted(filter(None, data), key=len, reverse=True)
        transaction.set_rollback(True)


def english_in(html, user_data):
    parser = _Text()
    parser.feed(html)
    found = []
    for text in parser.texts:
        if text in ZONES:  # time zone names (a setting's choices) are data
            continue
        for known in user_data + TERMS:
            text = text.replace(known, " ")
        found += ENGLISH.findall(text)
    return found


def test_the_check_sees_english_and_codes():
    html = "<p>決定</p><p>undefined: no churn this month</p><p>not_started</p>"
    assert english_in(html, []) == ["undefined: no churn this month", "not_started"]
    assert english_in("<p>担当 Member Demo</p><script>var a_b = 'x y'</script>",
                      ["Member Demo"]) == []


@pytest.mark.django_db
def test_japanese_pages_have_no_english_sentence_or_internal_code(demo_pages):
    pages, user_data = demo_pages
    problems = {}
    for url, response in pages.items():
        assert response.status_code == 200, url
        found = english_in(response.content.decode(), user_data)
        if found:
            problems[url] = sorted(set(found))[:5]
    assert problems == {}, "\n".join(f"{url}: {found}" for url, found in problems.items())

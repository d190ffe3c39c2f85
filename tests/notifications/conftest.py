"""A real SMTP server (tests/smtp_server.py) and a real HTTP server standing in for Slack and Teams,
and a small company: a team with a Japanese member and an English-speaking manager."""
import json
import threading
from datetime import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command

from metrics.models import Focus, Kpi
from notifications.models import UserSettings
from notifications.services import schedule_for
from teams.models import Company, Membership, Role, Team, TeamMembership
from tests.smtp_server import smtp_server  # noqa: F401 (fixture)
from tests.world import make_user

SITE = "http://testserver"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The unread badge is cached per user and company; ids repeat between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def smtp(smtp_server, settings):  # noqa: F811
    """Django's SMTP backend pointed at the suite's real SMTP server (tests/smtp_server.py)."""
    settings.SITE_URL = SITE
    return smtp_server


class Hooks:
    """Requests received per path; each path answers the statuses queued for it, then 200."""

    def __init__(self):
        self.received = []  # (path, json body, status answered)
        self.answers = {}
        self.lock = threading.Lock()
        self.hold = {}  # path -> threading.Event: the first request waits for it (no answer yet)

    def answer(self, path, *statuses):
        self.answers[path] = list(statuses)

    def delivered(self, path):
        return [body for p, body, status in self.received if p == path and status == 200]


@pytest.fixture
def hooks(settings):
    # The local server is on 127.0.0.1: a private address webhooks are only sent to when
    # allowed (metrics.sources.fetch.check_url).
    settings.SOURCES_ALLOWED_HOSTS = ["127.0.0.1"]
    state = Hooks()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            gate = state.hold.pop(self.path, None)
            if gate is not None:
                with state.lock:
                    state.received.append((self.path, body, None))  # never answered
                gate.wait(30)
                return
            with state.lock:
                queue = state.answers.get(self.path, [])
                status = queue.pop(0) if queue else 200
                state.received.append((self.path, body, status))
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"ok" if status == 200 else b"server error")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


class Org:
    pass


@pytest.fixture
def org(db, settings):
    """Acme (Tokyo, Japanese): team Sales with manager Mia (English) and member Ken
    (Japanese), executive Eri; KPIs: weekly leads (focus), monthly revenue."""
    settings.SITE_URL = SITE
    o = Org()
    o.company = Company.objects.create(slug="acme", name="Acme", timezone="Asia/Tokyo",
                                       language="ja")
    o.team = Team.objects.create(company=o.company, slug="sales", name="Sales")
    o.manager = make_user("mia", email="mia@example.com", first_name="Mia")
    o.member = make_user("ken", email="ken@example.com", first_name="Ken")
    o.executive = make_user("eri", email="eri@example.com", first_name="Eri")
    Membership.objects.create(company=o.company, user=o.manager, role=Role.MANAGER)
    Membership.objects.create(company=o.company, user=o.member, role=Role.MEMBER)
    Membership.objects.create(company=o.company, user=o.executive, role=Role.EXECUTIVE)
    TeamMembership.objects.create(team=o.team, user=o.manager, role="manager")
    TeamMembership.objects.create(team=o.team, user=o.member, role="member")
    UserSettings.objects.create(user=o.manager, language="en")
    o.leads = Kpi.objects.create(company=o.company, code="leads", name_ja="リード数",
                                 name_en="Leads", cadence="weekly", team=o.team,
                                 focus=Focus.ACTIVE)
    o.revenue = Kpi.objects.create(company=o.company, code="revenue", name_ja="売上",
                                   name_en="Revenue", cadence="monthly", team=o.team,
                                   focus=Focus.MONITORING)
    schedule = schedule_for(o.company)
    schedule.numbers_weekday, schedule.numbers_time = 0, time(9, 0)  # Monday 09:00 Tokyo
    schedule.review_weekday, schedule.review_time = 4, time(18, 0)  # Friday 18:00
    schedule.daily_time, schedule.digest_time = time(9, 0), time(8, 0)
    schedule.save()
    o.schedule = schedule
    return o


def notify(at: str) -> str:
    """Run ``manage.py notify --now <at>`` and return what it printed."""
    from io import StringIO

    out = StringIO()
    call_command("notify", "--now", at, stdout=out)
    return out.getvalue()


def link_of(message) -> str:
    """The path of the first kgiapp link in an email's text part."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    for word in text.split():
        if word.startswith(SITE + "/") and "/accounts/unsubscribe/" not in word:
            return word[len(SITE):]
    raise AssertionError(f"no link in {text!r}")

"""Anomalies on focus KPIs, the Monday digest for executives, and the monthly reforecast
report with its PDF — computed by ``notify`` itself on the 1st."""
import subprocess
import tempfile
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from metrics.models import Anomaly
from notifications.models import Channel, Kind, Notification
from reviews.models import Decision, Reforecast, ReforecastStatus, Task
from reviews.services import review_open_for_week
from teams.models import Membership, Role
from tests.metrics.analytics.shop import build_shop, month_after_data
from tests.notifications.conftest import link_of, notify
from tests.world import make_user

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")


def _anomaly(kpi, day, value=40.0):
    return Anomaly.objects.create(company=kpi.company, kpi=kpi, period_start=day, value=value,
                                  expected=100.0, expected_low=80.0, expected_high=120.0,
                                  score=-4.0)


def test_an_anomaly_on_a_focus_kpi_reaches_its_team_once(org, smtp):
    with time_machine.travel("2026-12-08T02:30+09:00", tick=False):
        _anomaly(org.leads, date(2026, 11, 30))
        _anomaly(org.revenue, date(2026, 11, 1))  # monitoring KPI: no alert
        notify("2026-12-08T02:35+09:00")
    (ken,) = [m for m in smtp.to("ken@example.com") if "異常" in m["Subject"]]
    (mia,) = [m for m in smtp.to("mia@example.com") if "Unusual" in m["Subject"]]
    assert ken["Subject"] == "異常な変化: リード数"
    assert mia["Subject"] == "Unusual change: Leads"
    assert "below the expected range 80 – 120" in mia.get_body(("plain",)).get_content()
    assert link_of(ken) == "/acme/kpis/leads/"
    client = Client()
    client.force_login(org.member)
    assert client.get(link_of(ken)).status_code == 200
    assert not smtp.to("eri@example.com")

    # The nightly detector rewrites its rows: same KPI and period, a new row, no new alert.
    with time_machine.travel("2026-12-09T02:30+09:00", tick=False):
        Anomaly.objects.filter(kpi=org.leads).delete()
        _anomaly(org.leads, date(2026, 11, 30), value=38.0)
        smtp.clear()
        notify("2026-12-09T02:35+09:00")
    assert not [m for m in smtp.messages if "Leads" in m["Subject"] or "リード" in m["Subject"]]


def _done_reforecast(company, month, probability):
    now = datetime(month.year, month.month, 1, 5, 0, tzinfo=TOKYO)
    return Reforecast.objects.create(
        company=company, month=month, status=ReforecastStatus.DONE, probability=probability,
        p10=900.0, p50=1000.0, p90=1100.0, target=1050.0, deadline=date(2027, 3, 31),
        draws=10000, completed_at=now,
        payload={"kgi": {"name": "売上", "unit": "count", "direction": "higher"}})


def test_monday_digest_for_executives(org, smtp):
    _done_reforecast(org.company, date(2026, 11, 1), 0.55)
    with time_machine.travel("2026-11-30T08:00+09:00", tick=False):
        notify("2026-11-30T08:00+09:00")
    (first,) = [m for m in smtp.to("eri@example.com") if "ダイジェスト" in m["Subject"]]
    assert "KGI達成確率: 55%" in first.get_body(("plain",)).get_content()

    review = review_open_for_week(team=org.team, day=date(2026, 12, 1))
    with time_machine.travel("2026-12-02T10:00+09:00", tick=False):
        Decision.objects.create(review=review, kpi=org.leads, text="Double the webinars",
                                created_by=org.manager)
    Task.objects.create(team=org.team, review=review, title="Book the venue", owner=org.member,
                        due_date=date(2026, 12, 3))
    _done_reforecast(org.company, date(2026, 12, 1), 0.62)
    smtp.clear()
    with time_machine.travel("2026-12-07T07:59+09:00", tick=False):
        notify("2026-12-07T07:59+09:00")
    assert not [m for m in smtp.to("eri@example.com") if "ダイジェスト" in m["Subject"]]
    with time_machine.travel("2026-12-07T08:00+09:00", tick=False):
        notify("2026-12-07T08:00+09:00")
        notify("2026-12-07T08:00+09:00")
    (digest,) = [m for m in smtp.to("eri@example.com") if "ダイジェスト" in m["Subject"]]
    assert digest["Subject"] == "Acme 月曜ダイジェスト"
    text = digest.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "KGI達成確率: 62%(先週 55%)" in text
    assert "[Sales] Double the webinars" in text
    assert "Book the venue — Ken" in text
    assert "2026-W49のレビューを実施しなかったチーム\n- Sales" in text
    assert "未達のKPI" in text and "異常値" in text
    assert link_of(digest) == "/acme/"
    html = digest.get_body(("html",)).get_content()
    assert "Double the webinars" in html and "月曜ダイジェスト" in html
    # Managers and members do not get the executives' digest.
    assert not [m for m in smtp.to("ken@example.com") if "ダイジェスト" in m["Subject"]]


def _pdf_text(data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(data)
        pdf.flush()
        return subprocess.run(["pdftotext", "-layout", pdf.name, "-"], capture_output=True,
                              text=True, check=True).stdout


def test_notify_on_the_first_computes_the_reforecast_and_mails_its_pdf(smtp, db, settings):
    company, _kgi, _kpis = build_shop(slug="shop")
    boss = make_user("boss", email="boss@example.com")
    Membership.objects.create(company=company, user=boss, role=Role.EXECUTIVE)
    month = month_after_data()  # 2026-08-01
    before = datetime(month.year, month.month, 1, 3, 59, tzinfo=TOKYO).isoformat()
    with time_machine.travel(before, tick=False):
        printed = notify(before)
    assert "reforecast" not in printed and not Reforecast.objects.exists()

    at = datetime(month.year, month.month, 1, 4, 30, tzinfo=TOKYO).isoformat()
    with time_machine.travel(at, tick=False):
        printed = notify(at)
        again = notify(at)
    assert f"reforecast shop {month:%Y-%m}: done" in printed
    assert "reforecast" not in again.replace("0 queued", "")
    row = Reforecast.objects.get(company=company)
    (mail,) = smtp.to("boss@example.com")
    chance = f"{100 * row.probability:.0f}%"
    assert mail["Subject"] == f"2026年8月の月次再予測: {chance}"
    assert link_of(mail) == "/shop/reforecasts/2026-08/"
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "kgiapp-shop-2026-08.pdf"
    text = _pdf_text(attachment.get_content())
    for expected in ("Shop", "2026年8月", "月次再予測レポート", "P10", "P50", "P90",
                     "期限までのKGI達成確率"):
        assert expected in text, (expected, text[:600])
    assert f"{100 * row.probability:.0f}" in text
    assert Notification.objects.filter(kind=Kind.REFORECAST_REPORT,
                                       channel=Channel.EMAIL).count() == 1

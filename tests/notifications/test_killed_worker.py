"""A Celery worker killed (SIGKILL) in the middle of a webhook post: the row stays pending,
the next worker sends it, and exactly one post is answered. Nothing lost, nothing sent
twice by the outbox (delivery is at-least-once: see notifications/delivery.py)."""
import threading

import pytest
from django.utils import timezone

from notifications import secrets
from notifications.models import Channel, Kind, Notification, Status
from notifications.services import Message, notification_queue, preference_set, schedule_for
from tests.celery_fixtures import requeue_unacked, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
# The worker posts to the test's HTTP server on 127.0.0.1, a private address.
ALLOW_LOCAL = {"SOURCES_ALLOWED_HOSTS": "127.0.0.1"}


def test_a_worker_killed_mid_send_leads_to_exactly_one_delivery(org, hooks,
                                                                 celery_worker_process):
    from notifications.tasks import notifications_send

    schedule = schedule_for(org.company)
    schedule.slack_webhook = secrets.encrypt(hooks.base + "/slack")
    schedule.save()
    preference_set(user=org.member, kind=Kind.ANOMALY, enabled=True, channel=Channel.SLACK)
    (_in_app, row) = notification_queue(
        company=org.company, recipient=org.member, kind=Kind.ANOMALY,
        object_key="anomaly:1:2026-11-30", period_key="2026-11-30",
        build=lambda: Message(subject="Leads dropped", lines=["Leads fell to 40."],
                              link_path="/acme/kpis/leads/", link_label="Open"))
    gate = threading.Event()
    hooks.hold["/slack"] = gate

    first = celery_worker_process(include=["notifications.tasks"], env=ALLOW_LOCAL)
    notifications_send.delay()
    wait_for(lambda: len(hooks.received), lambda n: n == 1, timeout=30)  # the post is in flight, no answer yet
    first.kill()
    gate.set()
    row.refresh_from_db()
    assert row.status == Status.PENDING and row.attempts == 0  # the claim rolled back

    assert requeue_unacked() == 1
    second = celery_worker_process(include=["notifications.tasks"], env=ALLOW_LOCAL)
    wait_for(lambda: Notification.objects.get(pk=row.pk).status, lambda s: s == Status.SENT,
             timeout=30)
    second.wait_idle()
    notifications_send.delay()  # a later run finds nothing to send
    second.wait_idle()
    row.refresh_from_db()
    assert row.attempts == 1 and row.sent_at <= timezone.now()
    assert len(hooks.delivered("/slack")) == 1
    assert [status for _path, _body, status in hooks.received] == [None, 200]

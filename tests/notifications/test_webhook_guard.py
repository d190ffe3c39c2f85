"""A webhook URL never takes the app to a private address: refused when typed as one, and
checked again (after DNS) when a message is sent."""
import pytest
from django.test import Client

from notifications import secrets
from notifications.channels import DeliveryError, send_slack
from notifications.models import Channel, Kind
from notifications.services import Message, notification_queue, schedule_for

pytestmark = pytest.mark.django_db

SCHEDULE = {"numbers_weekday": 0, "numbers_time": "09:00", "reminder_after_hours": 24,
            "escalate_after_hours": 48, "review_weekday": 4, "review_time": "18:00",
            "daily_time": "09:00", "digest_time": "08:00"}


def _admin_client(org):
    from teams.models import Membership, Role

    Membership.objects.filter(user=org.executive).update(role=Role.ADMIN)
    client = Client()
    client.force_login(org.executive)
    return client


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/",
                                 "http://127.0.0.1:6379/", "https://localhost/hook",
                                 "http://[::1]/hook", "https://10.0.0.5/services/x"])
def test_a_private_webhook_address_is_refused_with_a_sentence(org, settings, url):
    settings.SOURCES_ALLOWED_HOSTS = []
    response = _admin_client(org).post("/acme/notifications/settings/",
                                       {**SCHEDULE, "teams_url": url})
    assert response.status_code == 400
    assert "プライベートネットワーク" in response.content.decode()
    assert schedule_for(org.company).teams_webhook == ""


def test_a_public_webhook_address_is_kept(org, settings):
    settings.SOURCES_ALLOWED_HOSTS = []
    url = "https://hooks.slack.com/services/T000/B000/xyz"
    assert _admin_client(org).post("/acme/notifications/settings/",
                                   {**SCHEDULE, "slack_url": url}).status_code == 302
    assert secrets.decrypt(schedule_for(org.company).slack_webhook) == url


def test_a_stored_private_address_is_not_posted_to(org, settings, hooks):
    schedule = schedule_for(org.company)
    schedule.slack_webhook = secrets.encrypt(hooks.base + "/slack")  # stored before the check
    schedule.save()
    settings.SOURCES_ALLOWED_HOSTS = []  # no longer allowed
    (_in_app, row) = notification_queue(
        company=org.company, recipient=org.member, kind=Kind.ANOMALY,
        object_key="anomaly:9:2026-11-30", period_key="2026-11-30",
        build=lambda: Message(subject="Leads dropped", lines=["Leads fell."],
                              link_path="/acme/kpis/leads/", link_label="Open"))
    row.channel = Channel.SLACK
    with pytest.raises(DeliveryError, match="127.0.0.1"):
        send_slack(row)
    assert hooks.received == []

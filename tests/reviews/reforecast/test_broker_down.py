"""'Run now' while the broker is down: no 500; the month waits pending, and pressing again
once the broker is back computes it."""
import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from reviews.models import Reforecast, ReforecastStatus
from reviews.reforecast import tasks
from reviews.reforecast.services import month_start
from tests.reviews.reforecast.test_reforecast_pages import _client, _url


@pytest.mark.django_db
def test_run_now_with_the_broker_down_waits_pending_and_a_retry_computes_it(
        world, shop, monkeypatch, celery_eager,
        django_capture_on_commit_callbacks):
    shop["this"].delete()
    admin = _client(world, "admin")

    def broker_down(*args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.reforecast_run, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(_url("reforecast-run", shop))
    assert response.status_code == 302
    row = Reforecast.objects.get(company=shop["company"],
                                 month=month_start(timezone.localdate()))
    assert row.status == ReforecastStatus.PENDING
    monkeypatch.undo()  # the broker is back
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(_url("reforecast-run", shop))
    row.refresh_from_db()
    assert row.status == ReforecastStatus.DONE

"""Closing a review or writing a note while the broker is down is not an error: the work is
saved, the emails are logged as not sent."""
from datetime import date

import pytest
from kombu.exceptions import OperationalError as BrokerError

from reviews.models import Note, ReviewStatus
from reviews.notify import send_mention_emails, send_review_digest
from reviews.services import note_add, review_close
from teams.models import Membership
from tests.reviews.factories import review_for


def _broker_down(*args, **kwargs):
    raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.mark.django_db
def test_a_review_closes_and_a_note_is_saved_with_the_broker_down(
        world, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(send_review_digest, "apply_async", _broker_down)
    monkeypatch.setattr(send_mention_emails, "apply_async", _broker_down)
    manager = Membership.objects.get(company=world.company, user=world.users["manager"])
    review = review_for(world.team, day=date(2026, 3, 2))
    with django_capture_on_commit_callbacks(execute=True):
        note_add(review=review, membership=manager, kind="lowlight",
                 text=f"CVR fell, @{world.users['member'].username} please check")
        review, closed = review_close(review=review, membership=manager,
                                      no_decision_reason="Holiday week, numbers steady")
    assert closed and review.status == ReviewStatus.CLOSED
    assert Note.objects.filter(review=review).count() == 1

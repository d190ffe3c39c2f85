"""Closing a weekly review: decisions → tasks, frozen numbers, one close under concurrency."""
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from reviews.models import Decision, ReviewLog, ReviewStatus, WeeklyReview
from reviews.selectors import review_numbers
from reviews.services import review_close, review_reopen
from teams.models import Membership
from tests.concurrency import at_once, errors_in
from tests.reviews.factories import decision_with_task, focus_kpi, measure, review_for


def _m(world, role):
    return Membership.objects.get(company=world.company, user=world.users[role])


@pytest.mark.django_db
def test_close_is_refused_while_a_decision_has_no_task(world):
    review = review_for(world.team)
    kpi = focus_kpi(company=world.company, team=world.team)
    Decision.objects.create(review=review, kpi=kpi, text="Lower the bids")
    with pytest.raises(ValidationError) as exc:
        review_close(review=review, membership=_m(world, "manager"))
    assert "Lower the bids" in " ".join(exc.value.messages)
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN


@pytest.mark.django_db
def test_close_needs_a_decision_or_a_reason_for_none(world):
    review = review_for(world.team, day=date(2026, 3, 2))
    with pytest.raises(ValidationError):
        review_close(review=review, membership=_m(world, "manager"))
    review, closed = review_close(review=review, membership=_m(world, "manager"),
                                  no_decision_reason="Holiday week, numbers steady")
    assert closed and review.status == ReviewStatus.CLOSED


@pytest.mark.django_db
def test_the_team_manager_closes_and_reopens_the_teams_review_logged(world):
    review = review_for(world.team)
    kpi = focus_kpi(company=world.company, team=world.team)
    decision_with_task(review, kpi, world.users["member"])
    for role in ("member", "executive", "viewer"):
        with pytest.raises(PermissionDenied):
            review_close(review=review, membership=_m(world, role))
    review, _closed = review_close(review=review, membership=_m(world, "manager"))
    for role in ("member", "executive", "viewer"):
        with pytest.raises(PermissionDenied):
            review_reopen(review=review, membership=_m(world, role))
    review = review_reopen(review=review, membership=_m(world, "manager"), reason="typo")
    assert review.status == ReviewStatus.OPEN
    assert ReviewLog.objects.filter(review=review, action="reopened", note="typo").exists()
    review, _closed = review_close(review=review, membership=_m(world, "manager"))
    assert review_reopen(review=review, membership=_m(world, "admin")).status == "open"


@pytest.mark.django_db
def test_numbers_are_frozen_at_close_and_a_later_correction_is_shown(world):
    review = review_for(world.team, day=date(2026, 11, 16))
    kpi = focus_kpi(company=world.company, team=world.team, code="cvr_w", unit="percent")
    measure(kpi, review.week_start - timedelta(days=14), "1.80")
    last_week = measure(kpi, review.week_start - timedelta(days=7), "2.00")
    decision_with_task(review, kpi, world.users["member"])
    review, _closed = review_close(review=review, membership=_m(world, "manager"))

    last_week.value = "1.50"  # corrected after the meeting
    last_week.save()

    rows, frozen = review_numbers(WeeklyReview.objects.get(pk=review.pk))
    assert frozen
    row = next(r for r in rows if r["code"] == "cvr_w")
    assert row["value"] == "2.0000" and row["change_pct"] == pytest.approx(11.1)
    assert row["corrected_to"] == "1.5000"


@pytest.mark.django_db
def test_closing_leaves_the_digest_waiting_for_the_outbox(world):
    review = review_for(world.team)
    kpi = focus_kpi(company=world.company, team=world.team)
    decision_with_task(review, kpi, world.users["member"])
    review, _closed = review_close(review=review, membership=_m(world, "manager"))
    # notifications.review_mail queues it (tests/notifications/test_review_mail.py).
    assert review.digest_sent_at is None and mail.outbox == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_managers_closing_at_once_close_it_once_without_error(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    from teams.models import Role, TeamMembership
    from tests.world import make_user

    second = make_user("acme-manager-2")
    Membership.objects.create(company=world.company, user=second, role=Role.MANAGER)
    TeamMembership.objects.create(team=world.team, user=second, role="manager")
    review = review_for(world.team)
    kpi = focus_kpi(company=world.company, team=world.team)
    decision_with_task(review, kpi, world.users["member"])
    memberships = [_m(world, "manager"), Membership.objects.get(user=second)]
    outcomes = at_once(lambda m=m: review_close(review=review, membership=m)[1]
                       for m in memberships)
    assert not errors_in(outcomes)
    assert sorted(outcomes) == [False, True]
    assert ReviewLog.objects.filter(review=review, action="closed").count() == 1

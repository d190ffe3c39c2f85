"""teams.membership_rows reads in one statement the memberships select_related reads, and the
unread count the notifications app registers with them."""
import pytest
from django.db import connection

from notifications.models import Channel, Notification, Status
from teams.membership_rows import MEMBERSHIP_SQL, membership_rows
from teams.models import Company, CompanyDataVersion, Membership
from teams.tenancy import user_memberships


def _snapshot(m):
    try:
        version = m.company.data_version
    except CompanyDataVersion.DoesNotExist:
        version = None
    return (m.pk, m.role, m.created_at, m.user.pk, m.user.username, m.user.email,
            m.user.is_active, m.company.pk, m.company.slug, m.company.name,
            m.company.language, m.company.timezone, m.company.fiscal_year_start_month,
            m.company.created_at, version.token if version else None)


@pytest.mark.django_db
def test_membership_rows_are_what_select_related_reads(world, django_assert_num_queries):
    user = world.user("admin")
    third = Company.objects.create(slug="aaa", name="AAA <first>")
    Membership.objects.create(company=third, user=user, role="viewer")
    CompanyDataVersion.objects.filter(company=third).delete()  # a company without its token
    expected = list(Membership.objects.select_related("company", "company__data_version", "user")
                    .filter(user=user).order_by("company__name", "id"))
    with django_assert_num_queries(1):  # and none for what select_related would load
        got = user_memberships(user)
        snap = [_snapshot(m) for m in got]
    assert len(snap) == 2 and [m.company.slug for m in got] == [m.company.slug for m in expected]
    assert [_snapshot(m) for m in got] == [_snapshot(m) for m in expected]
    assert [m.get_role_display() for m in got] == [m.get_role_display() for m in expected]
    with pytest.raises(CompanyDataVersion.DoesNotExist):
        next(m for m in got if m.company.slug == "aaa").company.data_version  # noqa: B018


@pytest.mark.django_db
def test_the_unread_count_rides_with_each_membership(world):
    if connection.vendor != "postgresql":
        pytest.skip("the raw statement is PostgreSQL's")
    assert "notifications_unread" in MEMBERSHIP_SQL
    user = world.user("manager")
    Membership.objects.create(company=world.other, user=user, role="viewer")

    def note(company, key, channel=Channel.IN_APP, read=False):
        from django.utils import timezone

        Notification.objects.create(
            company=company, recipient=user, kind="numbers_due", object_key=key,
            period_key="p", channel=channel, status=Status.SENT, subject="s", body="b",
            not_before=timezone.now(), sent_at=timezone.now(),
            read_at=timezone.now() if read else None)

    note(world.company, "a")
    note(world.company, "b")
    note(world.company, "c", read=True)
    note(world.company, "d", channel=Channel.EMAIL)
    note(world.other, "e")
    counts = {m.company.slug: m.notifications_unread for m in membership_rows(user)}
    assert counts == {"acme": 2, "globex": 1}
    assert membership_rows(world.user("viewer"))[0].notifications_unread == 0

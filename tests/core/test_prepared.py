"""The pages' fixed reads are prepared statements on PostgreSQL (core.prepared)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.prepared import bound_cursor, prepared_cursor, raw_models
from reviews.models import WeeklyReview
from reviews.page_reads import REVIEWS_SQL, review_with_neighbours
from tests.kgiapp.bigorg import build_org

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="prepared statements are PostgreSQL's")


def _prepared():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def review_page(client):
    from reviews.services import review_open_for_week

    _company, user, teams, _kpis = build_org("prep", teams=2, kpis_per_team=8, periods=14)
    review = review_open_for_week(team=teams[1])
    client.force_login(user)
    return review, f"/prep/teams/t1/reviews/{review.week_label}/"


@pytest.mark.django_db
def test_the_review_page_runs_its_reads_prepared_and_logs_them_with_their_values(
        client, review_page):
    review, url = review_page
    assert client.get(url).status_code == 200
    prepared = _prepared()
    # The resolver's memberships, the review with its neighbours, its rows and its tasks.
    for table in ("teams_membership", "reviews_weeklyreview", "reviews_note", "reviews_task"):
        assert any(table in sql for sql in prepared), (table, prepared)
    before = len(prepared)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    # A second load reuses them: nothing new is prepared.
    assert len(_prepared()) == before
    logged = [q["sql"] for q in ctx.captured_queries]
    assert all(logged), logged
    # The log shows the statement with its values, as for any other query.
    rows = next(sql for sql in logged if "reviews_note" in sql)
    assert f"n.review_id = {review.pk}" in rows


@pytest.mark.django_db
def test_turned_off_nothing_is_prepared(client, review_page, settings):
    statement = "SELECT %s::int AS turned_off_check"
    with prepared_cursor() as cursor:
        cursor.execute(statement, [1])
    assert any("turned_off_check" in sql for sql in _prepared())
    settings.DATABASE_PREPARED_STATEMENTS = False
    other = "SELECT %s::int AS still_turned_off_check"
    with prepared_cursor() as cursor:
        cursor.execute(other, [1])
        assert cursor.fetchone() == (1,)
    assert not any("still_turned_off_check" in sql for sql in _prepared())
    _review, url = review_page
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_raw_models_converts_as_the_orm_does(review_page):
    review, _url = review_page
    WeeklyReview.objects.filter(pk=review.pk).update(frozen_numbers=[{"kpi_id": 1, "value": "2.5"}])
    weeks = [review.iso_year, review.iso_week] * 3
    [read] = raw_models(WeeklyReview, REVIEWS_SQL, [review.team_id, *weeks])
    orm = WeeklyReview.objects.get(pk=review.pk)
    for field in WeeklyReview._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(orm, field.attname), field.name
    assert read.frozen_numbers == [{"kpi_id": 1, "value": "2.5"}]
    assert read.u_username is None  # a column that is not a field: an attribute


@pytest.mark.django_db
def test_a_column_added_by_a_migration_does_not_break_a_prepared_read(review_page):
    review, _url = review_page
    team, monday = review.team, review.week_start
    assert review_with_neighbours(team, monday).pk == review.pk
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the writes' deferred triggers
        cursor.execute("ALTER TABLE reviews_weeklyreview ADD COLUMN added_later integer")
    # The cached statement names its columns, so its result keeps its shape.
    assert review_with_neighbours(team, monday).pk == review.pk


@pytest.mark.django_db
def test_a_prepared_cursor_reads_like_any_cursor():
    with prepared_cursor() as cursor:
        cursor.execute("SELECT %s::int + 1, %s::text", [41, "x"])
        assert cursor.fetchone() == (42, "x")


@pytest.mark.django_db
def test_a_bound_cursor_sends_binary_arrays_and_prepares_nothing(settings):
    statement = "SELECT array_length(%b::bytea[], 1), %b::text[] AS bound_cursor_check"
    values = [b"\x00\xff" * 100, b"'\\"]
    with CaptureQueriesContext(connection) as ctx:
        with bound_cursor() as cursor:
            cursor.execute(statement, [values, ["a'b", "{c}"]])
            assert cursor.fetchone() == (2, ["a'b", "{c}"])
    assert not any("bound_cursor_check" in sql for sql in _prepared())
    assert len(ctx.captured_queries) == 1  # logged and counted as any other query
    settings.DATABASE_PREPARED_STATEMENTS = False  # nothing is prepared anyway
    with bound_cursor() as cursor:
        cursor.execute("SELECT %b::int", [7])
        assert cursor.fetchone() == (7,)

"""Targets as data: set with history, one current row, named errors and nothing saved."""
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from metrics.models import KgiStatus, PeriodKind, Target
from metrics.targets import (
    TargetEntry,
    TargetRefused,
    TargetsRefused,
    target_history,
    target_set,
    targets_set,
)
from tests.metrics.factories import KgiFactory, KpiFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kpis(world):
    company = world.company
    orders = KpiFactory(company=company, code="orders", unit="count", cadence="weekly")
    cvr = KpiFactory(company=company, code="cvr", unit="percent", aggregation="average")
    aov = KpiFactory(company=company, code="aov", unit="JPY", aggregation="average")
    root = KpiFactory(company=company, code="revenue", unit="JPY", formula="orders * aov")
    KgiFactory(company=company, kpi=root, status=KgiStatus.ACTIVE,
               start_date=date(2026, 4, 1), deadline=date(2027, 3, 31))
    return {"orders": orders, "cvr": cvr, "aov": aov, "root": root}


def test_setting_twice_keeps_the_first_as_history_with_who_and_why(kpis, world):
    admin = world.user("admin")
    first = target_set(kpi=kpis["aov"], period="2026-12-15", value="32,000", user=admin,
                       reason="plan")
    second = target_set(kpi=kpis["aov"], period=date(2026, 12, 1), value=34583, user=admin,
                        reason="goal seek")
    first.refresh_from_db()
    assert first.period_start == second.period_start == date(2026, 12, 1)
    assert first.superseded_at is not None and second.superseded_at is None
    assert second.value == Decimal("34583") and second.note == "goal seek"
    assert [t.pk for t in target_history(kpis["aov"])] == [second.pk, first.pk]
    assert second.created_by == admin


@pytest.mark.parametrize("raw, expected", [
    ("13,600", Decimal("13600")), ("１５，６４０", Decimal("15640")), ("1.5万", Decimal("15000")),
])
def test_numbers_are_read_like_the_grid(kpis, raw, expected):
    assert target_set(kpi=kpis["orders"], period="2026-12-01", value=raw).value == expected


@pytest.mark.parametrize("kpi, value, period, code", [
    ("orders", "abc", "2026-12-01", "not_a_number"),
    ("orders", "-5", "2026-12-01", "negative_value"),
    ("cvr", "120", "2026-12-01", "percent_out_of_range"),
    ("orders", "10", "2028-01-01", "outside_window"),
    ("orders", "10", "2026-02-30", "bad_period"),
    ("orders", "10", "not a date", "bad_period"),
])
def test_bad_input_is_named_and_nothing_is_saved(kpis, kpi, value, period, code):
    with pytest.raises(TargetRefused) as refused:
        target_set(kpi=kpis[kpi], period=period, value=value)
    assert refused.value.code == code
    assert str(refused.value.message)
    assert not Target.objects.exists()


def test_a_batch_is_all_or_nothing_and_names_every_bad_entry(kpis):
    target_set(kpi=kpis["orders"], period="2026-11-01", value=100)
    with pytest.raises(TargetsRefused) as refused:
        targets_set(kpi=kpis["orders"], entries=[
            TargetEntry("2026-11-01", 200), TargetEntry("2026-12-01", "x"),
            TargetEntry("2027-01-01", -1)])
    assert [(e.index, e.code) for e in refused.value.errors] == [
        (1, "not_a_number"), (2, "negative_value")]
    assert list(Target.objects.values_list("value", "superseded_at")) == [(Decimal(100), None)]


def test_the_database_refuses_a_second_current_row(kpis):
    target_set(kpi=kpis["orders"], period="2026-11-01", value=100)
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(kpi=kpis["orders"], period_kind=PeriodKind.MONTH,
                              period_start=date(2026, 11, 1), value=5)

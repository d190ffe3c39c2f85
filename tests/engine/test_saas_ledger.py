"""The MRR ledger, checked against movements worked out by hand."""
from datetime import date
from decimal import Decimal

from engine.saas_ledger import (
    Movement,
    classify,
    ledger_from_record,
    ledger_month,
    next_movement,
    retention_metrics,
)
from engine.saas_records import CustomerRecord

JAN, FEB, MAR, APR = (date(2024, m, 1) for m in (1, 2, 3, 4))
D = Decimal


def test_each_kind_of_move():
    assert classify(D(0), D(100), paid_before=False, churned=False) == "new"
    assert classify(D(0), D(100), paid_before=True, churned=False) == "reactivation"
    assert classify(D(100), D(150), paid_before=True, churned=False) == "expansion"
    assert classify(D(100), D(60), paid_before=True, churned=False) == "contraction"
    assert classify(D(100), D(0), paid_before=True, churned=False) == "churn"
    assert classify(D(100), D(100), paid_before=True, churned=True) == "churn"
    assert classify(D(100), D(100), paid_before=True, churned=False) is None


def test_a_history_becomes_rows_in_the_months_things_happened():
    # Signed 10 Jan at 100, downgraded to 80 from March, churned 12 April.
    record = CustomerRecord("a", date(2024, 1, 10), date(2024, 4, 12), mrr=D(80),
                            mrr_history={JAN: D(100), MAR: D(80)})
    assert ledger_from_record(record, date(2024, 6, 1)) == [
        Movement("a", JAN, "new", D(0), D(100)),
        Movement("a", MAR, "contraction", D(100), D(80)),
        Movement("a", APR, "churn", D(80), D(0)),
    ]


def test_a_month_is_summed_from_its_rows_and_retention_ignores_new_and_reactivated():
    rows = [Movement("a", JAN, "new", D(0), D(100)), Movement("b", JAN, "new", D(0), D(200)),
            Movement("c", JAN, "new", D(0), D(40)), Movement("c", FEB, "churn", D(40), D(0)),
            Movement("a", MAR, "expansion", D(100), D(130)),
            Movement("b", MAR, "contraction", D(200), D(150)),
            Movement("c", MAR, "reactivation", D(0), D(40)),
            Movement("d", MAR, "new", D(0), D(70))]
    march = ledger_month(rows, MAR)
    # Start: a 100 + b 200 (c was at 0) = 300. End of the base: 300 + 30 − 50 = 280.
    assert (march.start_mrr, march.customers) == (D(300), 2)
    assert (march.expansion, march.contraction, march.churned) == (D(30), D(50), D(0))
    assert (march.new, march.reactivation) == (D(70), D(40))
    metrics = retention_metrics(rows, MAR)
    assert (metrics["nrr"].numerator, metrics["nrr"].denominator) == (D(280), D(300))
    assert (metrics["grr"].numerator, metrics["grr"].denominator) == (D(250), D(300))


def test_a_second_change_in_the_same_month_replaces_that_months_row():
    rows = [Movement("a", JAN, "new", D(0), D(100))]
    first = next_movement(rows, "a", MAR, D(150))
    again = next_movement(rows + [first], "a", MAR, D(90))
    assert (first.kind, again.kind, again.before) == ("expansion", "contraction", D(100))
    assert next_movement(rows + [first], "a", MAR, D(100)) is None

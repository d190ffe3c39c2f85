"""MRR movements and survey answers are stored as rows; closed months never move.

Hand-computed roster, three imports:

- 31 March 2025: A (signed 10 Jan, ¥100, NPS 9), B (3 Feb, ¥50), C (15 Mar, ¥200).
  Rows: A new in January, B new in February, C new in March. March starts from
  A + B = 150 and nothing of it moves: NRR 150 / 150.
- 20 April: A ¥150 (expansion +50), B ¥0 without a churn date (churn −50), A's NPS 3.
  April starts from 100 + 50 + 200 = 350: NRR (350 + 50 − 50) / 350 = 1, GRR 300 / 350.
- 10 May: B ¥60 again (reactivation +60), C churns on 20 May (churn −200).
  May starts from A 150 + C 200 = 350 (B was at 0): NRR (350 − 200) / 350 = 150 / 350;
  B's 60 is reported as reactivation, not inside retention.
"""
from datetime import date
from decimal import Decimal

import pytest

from customers import selectors
from customers import services as cs_services
from customers.models import Customer, MrrMovement, SurveyResponse

HEADER = "顧客名,契約日,NPSスコア,月額,解約日\r\n"
MARCH, APRIL, MAY = date(2025, 3, 1), date(2025, 4, 1), date(2025, 5, 1)


def _import(world, rows, as_of):
    batch = cs_services.roster_import_preview(
        company=world.company, team=world.team, user=world.user("manager"),
        data=(HEADER + "".join(r + "\r\n" for r in rows)).encode("utf-8"),
        filename="roster.csv", as_of=as_of)
    assert batch.problems == []
    cs_services.roster_import_commit(roster_import=batch, user=None)


@pytest.fixture
def roster(world):
    world.extra["customer"].delete()
    _import(world, ["A,2025/01/10,9,100,", "B,2025/02/03,,50,", "C,2025/03/15,,200,"],
            date(2025, 3, 31))
    _import(world, ["A,2025/01/10,3,150,", "B,2025/02/03,,0,", "C,2025/03/15,,200,"],
            date(2025, 4, 20))
    _import(world, ["A,2025/01/10,3,150,", "B,2025/02/03,,60,", "C,2025/03/15,,200,2025/05/20"],
            date(2025, 5, 10))
    return world


def _rows(world):
    return sorted((c, m, k, int(b), int(a)) for c, m, k, b, a in MrrMovement.objects.filter(
        customer__team=world.team).values_list("customer__name", "month", "kind", "mrr_before",
                                               "mrr_after"))


def _metric(world, month, key, today=date(2025, 6, 15)):
    return next(m for m in selectors.month_metrics(world.team, month, today) if m["key"] == key)


@pytest.mark.django_db
def test_each_customers_move_is_one_row_in_its_month(roster):
    assert _rows(roster) == [
        ("A", date(2025, 1, 1), "new", 0, 100),
        ("A", APRIL, "expansion", 100, 150),
        ("B", date(2025, 2, 1), "new", 0, 50),
        ("B", APRIL, "churn", 50, 0),  # down to 0 without a churn date is a lost logo
        ("B", MAY, "reactivation", 0, 60),
        ("C", MARCH, "new", 0, 200),
        ("C", MAY, "churn", 200, 0),
    ]


@pytest.mark.django_db
def test_retention_is_read_from_the_rows(roster):
    march, april, may = (_metric(roster, m, "nrr") for m in (MARCH, APRIL, MAY))
    assert (march["numerator"], march["denominator"]) == (Decimal(150), Decimal(150))
    assert (april["numerator"], april["denominator"]) == (Decimal(350), Decimal(350))
    grr = _metric(roster, APRIL, "grr")
    assert (grr["numerator"], grr["denominator"]) == (Decimal(300), Decimal(350))
    assert (may["numerator"], may["denominator"]) == (Decimal(150), Decimal(350))


@pytest.mark.django_db
def test_a_closed_month_does_not_move_when_todays_mrr_does(roster):
    before = [_metric(roster, m, "nrr")["value"] for m in (MARCH, APRIL, MAY)]
    a = Customer.objects.get(team=roster.team, name="A")
    cs_services.customer_update(customer=a, data={"mrr": Decimal(10)}, user=None)
    # Another import dated in June changes C's and A's numbers again.
    _import(roster, ["A,2025/01/10,3,20,"], date(2025, 6, 3))
    assert [_metric(roster, m, "nrr")["value"] for m in (MARCH, APRIL, MAY)] == before
    assert MrrMovement.objects.get(customer=a, month=date(2025, 6, 1)).kind == "contraction"


@pytest.mark.django_db
def test_a_past_months_nps_reads_the_answer_given_by_its_end(roster):
    a = Customer.objects.get(team=roster.team, name="A")
    assert sorted(SurveyResponse.objects.filter(customer=a).values_list(
        "kind", "answered_on", "score")) == [("nps", date(2025, 3, 31), 9),
                                             ("nps", date(2025, 4, 20), 3)]
    # March: A (9) is the only answer given by 31 March → one promoter of one = +100.
    assert _metric(roster, MARCH, "nps")["value"] == pytest.approx(100)
    # April: A's answer is now 3 → one detractor of one = −100.
    assert _metric(roster, APRIL, "nps")["value"] == pytest.approx(-100)


@pytest.mark.django_db
def test_an_import_applied_twice_writes_the_same_rows(roster):
    rows = _rows(roster)
    _import(roster, ["A,2025/01/10,3,150,", "B,2025/02/03,,60,",
                     "C,2025/03/15,,200,2025/05/20"], date(2025, 5, 10))
    assert _rows(roster) == rows

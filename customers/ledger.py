"""The MRR ledger and dated survey answers: rows written once, read by the monthly metrics.

A roster import or a hand edit that changes a customer's MRR writes that month's
movement (engine.saas_ledger decides its kind); a churn date writes the churn month's.
An NPS or CSAT answer is kept with the day it was given, so a past month's NPS reads the
answers given by its end, not today's.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.calendar import month_start
from customers.models import Customer, MrrMovement, SurveyKind, SurveyResponse
from engine import saas_ledger
from engine.saas_ledger import Movement


def _history(customer: Customer, before: date) -> list[Movement]:
    return [Movement(str(customer.pk), r.month, r.kind, r.mrr_before, r.mrr_after)
            for r in customer.movements.filter(month__lt=before)]


def record_mrr(customer: Customer, month: date, mrr, *, churned: bool = False,
               roster_import=None) -> MrrMovement | None:
    """Store how the customer's MRR moved in ``month`` (replacing that month's row only)."""
    month = month_start(month)
    move = saas_ledger.next_movement(_history(customer, month), str(customer.pk), month,
                                     Decimal(mrr or 0), churned)
    if move is None:
        MrrMovement.objects.filter(customer=customer, month=month).delete()
        return None
    row, _created = MrrMovement.objects.update_or_create(
        customer=customer, month=month,
        defaults={"kind": move.kind, "mrr_before": move.before, "mrr_after": move.after,
                  "roster_import": roster_import})
    return row


def record_roster_mrr(customer: Customer, *, as_of: date, is_new: bool, mrr, churn_date,
                      roster_import=None) -> None:
    """The movements a roster row implies: a new customer from its contract month, a
    changed MRR in the roster's month, a churn in the churn date's month."""
    if mrr is not None:
        start = customer.contract_date if is_new and customer.contract_date and \
            customer.contract_date <= as_of else as_of
        record_mrr(customer, start, mrr, roster_import=roster_import)
    if churn_date is not None:
        record_mrr(customer, churn_date, 0, churned=True, roster_import=roster_import)


def record_answer(customer: Customer, kind: str, score, day: date, previous=None,
                  roster_import=None) -> None:
    """Keep an NPS/CSAT answer with its day. A score the customer had before any dated
    answer is kept first, dated when the customer was added, so earlier months keep it."""
    if score is None:
        return
    answers = SurveyResponse.objects.filter(customer=customer, kind=kind)
    if previous is not None and previous != score and not answers.exists():
        added = customer.created_at.date() if customer.created_at else day
        if added < day:
            SurveyResponse.objects.create(customer=customer, kind=kind, score=previous,
                                          answered_on=added)
    SurveyResponse.objects.update_or_create(
        customer=customer, kind=kind, answered_on=day,
        defaults={"score": score, "roster_import": roster_import})


def record_answers(customer: Customer, changes: dict, day: date, roster_import=None) -> None:
    """The NPS and CSAT answers among a row's changes ({field: [old, new]})."""
    for kind in SurveyKind.values:
        if kind in changes:
            old, new = changes[kind]
            record_answer(customer, kind, new, day, previous=old, roster_import=roster_import)


def team_ledger(team) -> list[Movement]:
    return [Movement(str(customer_id), month, kind, before, after)
            for customer_id, month, kind, before, after in MrrMovement.objects.filter(
                customer__team=team).values_list("customer_id", "month", "kind", "mrr_before",
                                                 "mrr_after")]


def team_answers(team) -> dict[int, dict[str, dict[date, int]]]:
    out: dict[int, dict[str, dict[date, int]]] = {}
    for customer_id, kind, day, score in SurveyResponse.objects.filter(
            customer__team=team).values_list("customer_id", "kind", "answered_on", "score"):
        out.setdefault(customer_id, {}).setdefault(kind, {})[day] = score
    return out


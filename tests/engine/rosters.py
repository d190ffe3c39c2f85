"""Building blocks for the hand-computed customer rosters of the SaaS tests."""

from engine.saas import CustomerRecord


def customer(id, contract, churn=None, **fields):
    return CustomerRecord(id=id, contract_date=contract, churn_date=churn, **fields)

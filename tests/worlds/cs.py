"""Customer-success objects the matrix needs: a customer and a previewed roster import."""
from datetime import date

from customers.models import Customer, RosterImport


def extend(world):
    world.extra["customer"] = Customer.objects.create(
        company=world.company, team=world.team, name="株式会社つばさ運輸", plan="スタンダード",
        contract_date=date(2025, 1, 10), nps=8, notes="解約を検討中",
    )
    world.extra["roster_import"] = RosterImport.objects.create(
        company=world.company, team=world.team, filename="roster.csv", as_of=date(2025, 6, 1),
        rows=[{"row": 2, "name": "株式会社あおば商事", "external_id": "", "plan": "",
               "contract_date": "2025-02-01", "onboarding_status": "complete",
               "onboarding_completed_on": None, "last_login": None, "nps": None,
               "nps_comment": "", "csat": None, "mrr": None, "churn_date": None, "notes": ""}],
        summary={"created": 1, "updated": 0, "unchanged": 0, "rows": 1,
                 "fields": ["name", "contract_date", "onboarding_status"], "ignored": []},
    )

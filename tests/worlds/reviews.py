"""Reviews objects the matrix needs: this week's review of the world's team, a decision, a task."""
from datetime import timedelta

from metrics.models import Focus, Kpi  # monitoring: leaves the team's 7 focus places free
from reviews.models import Decision, Task
from reviews.services import review_open_for_week


def extend(world):
    kpi = Kpi.objects.create(company=world.company, code="world_cvr", name_ja="購入率",
                             name_en="Conversion rate", unit="percent", team=world.team,
                             focus=Focus.MONITORING)
    review = review_open_for_week(team=world.team)
    decision = Decision.objects.create(review=review, kpi=kpi, text="Fix checkout",
                                       created_by=world.users["manager"])
    task = Task.objects.create(team=world.team, review=review, decision=decision,
                               title="Run the checkout test", owner=world.users["member"],
                               due_date=review.week_start + timedelta(days=4))
    world.extra.update(review_kpi=kpi, review=review, review_decision=decision, review_task=task)

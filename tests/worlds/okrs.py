"""OKR objects the matrix needs: an Objective with a KR in the world's team."""
from core.calendar import quarter_of
from okrs.models import KeyResult, Objective


def extend(world):
    from django.utils import timezone

    quarter = quarter_of(timezone.localdate(), world.company.fiscal_year_start_month)
    objective = Objective.objects.create(
        company=world.company, team=world.team, quarter=quarter.code,
        quarter_start=quarter.start, title="Grow repeat visits",
    )
    world.extra["objective"] = objective
    world.extra["key_result"] = KeyResult.objects.create(
        objective=objective, title="Return visits 15 %", start=10, target=15, unit="percent",
    )

"""Constraints only a race reaches: each case writes the duplicate row past the service's check."""
from datetime import date

from django.apps import apps

# --- constraints only a race reaches: the duplicate row written past the service's check


def _dup(model_path, **changes):
    def case(world):
        model = apps.get_model(model_path)
        original = model.objects.filter(**changes.pop("_filter", {})).first()
        assert original is not None, model_path
        original.pk = None
        for key, value in changes.items():
            setattr(original, key, value(world) if callable(value) else value)
        original.save()
    return case


def _race_review(world):
    from reviews.services import review_open_for_week

    review = review_open_for_week(team=world.team)
    review.pk = None
    review.save()


def _race_target(world):
    from metrics.models import Target

    kpi = world.extra["numbers_kpi"]
    for _i in range(2):
        Target.objects.create(kpi=kpi, period_kind="month", period_start=date(2026, 1, 1),
                              value=1)


def _race_measurement(world):
    from metrics.models import Measurement

    kpi = world.extra["numbers_kpi"]
    for _i in range(2):
        Measurement.objects.create(company=world.company, kpi=kpi,
                                   period_start=date(2026, 1, 5), value=1)


def _race_customer_mrr(world):
    from customers.models import CustomerMrr

    for _i in range(2):
        CustomerMrr.objects.create(customer=world.extra["customer"], month=date(2026, 1, 1),
                                   mrr=1)


def _race_rules(world):
    from customers.models import CsRiskRules

    for _i in range(2):
        CsRiskRules.objects.create(team=world.team)


def _race_membership(world):
    from teams.models import Membership

    Membership.objects.create(company=world.company, user=world.user("viewer"), role="viewer")


def _race_team_membership(world):
    from teams.models import TeamMembership

    TeamMembership.objects.create(team=world.team, user=world.user("manager"), role="member")


def _race_decision(world):
    import uuid

    from reviews.models import Decision
    from reviews.services import review_open_for_week

    review = review_open_for_week(team=world.team)
    key = uuid.uuid4()
    for _i in range(2):
        Decision.objects.create(review=review, text="Same", request_key=key,
                                kpi=world.extra["numbers_kpi"])


def _race_reforecast(world):
    from reviews.models import Reforecast

    row = world.extra["reforecast"]
    Reforecast.objects.create(company=world.company, month=row.month)


def _race_preference(world):
    from notifications.models import Preference

    for _i in range(2):
        Preference.objects.create(user=world.user("admin"), kind="digest", channel="email")


def _race_follow_up(world):
    from tests.reviews.factories import decision_with_task, review_for

    for _i in range(2):
        _decision, task = decision_with_task(review_for(world.team), world.extra["numbers_kpi"],
                                             world.user("manager"))
        task.customer = world.extra["customer"]
        task.save()


def _race_kr_score(world):
    kr = world.extra["key_result"]
    kr.final_score = 2
    kr.save()


RACE_CASES = {
    "review_one_per_team_week": _race_review,
    "target_one_current_per_kpi_period": _race_target,
    "measurement_one_per_period": _race_measurement,
    "customer_mrr_one_per_month": _race_customer_mrr,
    "customers_csriskrules_team_id_key": _race_rules,
    "membership_one_per_user": _race_membership,
    "team_membership_unique": _race_team_membership,
    "decision_one_per_request_key": _race_decision,
    "reforecast_one_per_month": _race_reforecast,
    "preference_one_per_kind": _race_preference,
    "kr_final_score_0_1": _race_kr_score,
    "task_one_open_per_customer": _race_follow_up,
}

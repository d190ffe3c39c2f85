"""One click on an at-risk row files a follow-up task in this week's review of the team."""
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import translation

from core.calendar import team_today, week_of
from customers.models import CsRiskRules
from metrics.models import Focus
from reviews.followups import task_create_for_customer
from reviews.models import Decision, ReviewStatus, Task, TaskStatus
from reviews.services import review_open_for_week, task_set_status
from teams.models import Membership, Role, Team, TeamMembership
from tests.concurrency import at_once, errors_in
from tests.customers.factories import CustomerFactory
from tests.reviews.factories import focus_kpi, measure
from tests.world import make_user


def _m(world, role):
    return Membership.objects.get(company=world.company, user=world.users[role])


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in English; the Japanese ones are checked by the browser test.
    with translation.override("en"):
        yield


@pytest.fixture
def cs(world):
    """The world's team with the customer-success KPIs and customers breaking different rules."""
    team = world.team
    today = team_today(team)
    world.company.language = "en"
    world.company.save(update_fields=["language"])
    world.extra["customer"].delete()
    kpis = {code: focus_kpi(company=world.company, team=team, code=code, unit="percent",
                             focus=Focus.MONITORING)
            for code in ("churn_rate", "onboarding_completion", "nps")}
    stalled = CustomerFactory(team=team, name="Aoba Trading", contract_date=today - timedelta(90),
                              onboarding_status="in_progress", last_login=today - timedelta(40),
                              notes="considering cancel")
    detractor = CustomerFactory(team=team, name="Hikari Foods", contract_date=today - timedelta(90),
                                last_login=today - timedelta(1), nps=3)
    silent = CustomerFactory(team=team, name="Fuji Systems", contract_date=today - timedelta(200),
                             last_login=today - timedelta(60))
    world.extra.update(kpis=kpis, stalled=stalled, detractor=detractor, silent=silent,
                       today=today)
    # One broken rule is enough here (the defaults want two): each customer breaks its own.
    CsRiskRules.objects.create(team=team, onboarding_days=30, no_login_days=30, nps_max=6,
                               min_reasons=1)
    return world


@pytest.mark.django_db
def test_click_files_a_task_under_a_decision_on_the_kpi_of_the_first_reason(cs):
    task, created = task_create_for_customer(customer=cs.extra["stalled"],
                                             membership=_m(cs, "manager"))
    assert created
    review = review_open_for_week(team=cs.team)
    assert task.review == review and task.team == cs.team and task.status == TaskStatus.OPEN
    assert task.customer == cs.extra["stalled"]
    assert task.owner == cs.users["manager"]
    assert task.due_date == cs.extra["today"] + timedelta(days=7)
    # Onboarding comes first in the onboarding → churn chain, so that is the number.
    assert task.decision.kpi == cs.extra["kpis"]["onboarding_completion"]
    assert task.decision.review == review
    assert task.title.startswith("Follow up Aoba Trading: ")
    assert "Onboarding not complete 90 days after contract" in task.title
    assert "No login for 40 days" in task.title and "cancel" in task.title


@pytest.mark.django_db
def test_the_decision_says_which_number_prompted_it(cs):
    kpi = cs.extra["kpis"]["onboarding_completion"]
    measure(kpi, cs.extra["today"] - timedelta(days=30), "68.5")
    measure(kpi, cs.extra["today"] - timedelta(days=60), "75")
    task, _c = task_create_for_customer(customer=cs.extra["stalled"],
                                        membership=_m(cs, "manager"))
    assert task.decision.rationale.startswith(f"{kpi.name_en} is 68.5")
    assert "at-risk customer list" in task.decision.rationale


@pytest.mark.django_db
def test_each_reason_ties_the_decision_to_its_own_number(cs):
    manager = _m(cs, "manager")
    low_nps, _c = task_create_for_customer(customer=cs.extra["detractor"], membership=manager)
    no_login, _c = task_create_for_customer(customer=cs.extra["silent"], membership=manager)
    assert low_nps.decision.kpi.code == "nps"
    assert no_login.decision.kpi.code == "churn_rate"
    assert no_login.title == "Follow up Fuji Systems: No login for 60 days"


@pytest.mark.django_db
def test_clicking_twice_returns_the_same_task(cs):
    manager = _m(cs, "manager")
    first, created = task_create_for_customer(customer=cs.extra["stalled"], membership=manager)
    again, created_again = task_create_for_customer(customer=cs.extra["stalled"],
                                                    membership=manager)
    assert created and not created_again
    assert again == first
    assert Task.objects.filter(customer=cs.extra["stalled"]).count() == 1
    assert Decision.objects.filter(kpi__in=cs.extra["kpis"].values()).count() == 1


@pytest.mark.django_db
def test_customers_on_the_same_number_share_one_decision(cs):
    manager = _m(cs, "manager")
    other = CustomerFactory(team=cs.team, name="Tsubasa Transport",
                            contract_date=cs.extra["today"] - timedelta(100),
                            last_login=cs.extra["today"] - timedelta(90))
    a, _c = task_create_for_customer(customer=cs.extra["silent"], membership=manager)
    b, _c = task_create_for_customer(customer=other, membership=manager)
    assert a.decision == b.decision
    assert a.decision.text == "Follow up customers at risk of churning"
    assert list(a.decision.tasks.order_by("pk")) == [a, b]


@pytest.mark.django_db
def test_a_follow_up_carried_from_last_week_is_not_duplicated(cs):
    manager = _m(cs, "manager")
    last_week = cs.extra["today"] - timedelta(days=7)
    carried, _c = task_create_for_customer(customer=cs.extra["silent"], membership=manager,
                                           today=last_week)
    again, created = task_create_for_customer(customer=cs.extra["silent"], membership=manager)
    assert again == carried and not created
    assert again.review.week_start == week_of(last_week)[2]


@pytest.mark.django_db
def test_once_the_task_is_done_a_new_follow_up_can_be_opened(cs):
    manager = _m(cs, "manager")
    first, _c = task_create_for_customer(customer=cs.extra["silent"], membership=manager)
    task_set_status(task=first, membership=manager, status=TaskStatus.DONE)
    second, created = task_create_for_customer(customer=cs.extra["silent"], membership=manager)
    assert created and second != first
    # Reopening the finished one would make two open follow-ups: refused, not a 500.
    with pytest.raises(ValidationError, match="already has an open follow-up"):
        task_set_status(task=first, membership=manager, status=TaskStatus.OPEN)


@pytest.mark.django_db
def test_the_database_refuses_two_open_follow_ups_for_one_customer(cs):
    task, _c = task_create_for_customer(customer=cs.extra["silent"], membership=_m(cs, "manager"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(team=task.team, review=task.review, decision=task.decision,
                            customer=task.customer, title="again", owner=task.owner,
                            due_date=task.due_date)


@pytest.mark.django_db
def test_a_closed_review_sends_the_follow_up_to_next_weeks_review(cs):
    review = review_open_for_week(team=cs.team)
    review.status = ReviewStatus.CLOSED
    review.save(update_fields=["status"])
    task, created = task_create_for_customer(customer=cs.extra["silent"],
                                             membership=_m(cs, "manager"))
    assert created and task.review.week_start == review.week_start + timedelta(days=7)
    assert task.review.status == ReviewStatus.OPEN


@pytest.mark.django_db
def test_when_next_weeks_review_is_closed_too_the_refusal_names_it(cs):
    for days in (0, 7):
        review = review_open_for_week(team=cs.team, day=team_today(cs.team) + timedelta(days=days))
        review.status = ReviewStatus.CLOSED
        review.save(update_fields=["status"])
    with pytest.raises(ValidationError) as exc:
        task_create_for_customer(customer=cs.extra["silent"], membership=_m(cs, "manager"))
    assert review.week_label in exc.value.messages[0]
    assert not Task.objects.filter(customer__isnull=False).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["member", "executive", "viewer"])
def test_only_someone_who_runs_the_team_may_file_it(cs, role):
    with pytest.raises(PermissionDenied):
        task_create_for_customer(customer=cs.extra["silent"], membership=_m(cs, role))
    assert not Task.objects.filter(customer__isnull=False).exists()


@pytest.mark.django_db
def test_manager_of_another_team_is_refused(cs):
    marketing = Team.objects.get(company=cs.company, slug="marketing")
    customer = CustomerFactory(team=marketing, name="Other team's customer",
                               contract_date=cs.extra["today"] - timedelta(100))
    with pytest.raises(PermissionDenied):
        task_create_for_customer(customer=customer, membership=_m(cs, "manager"))


@pytest.mark.django_db
def test_customer_of_another_company_is_refused(cs):
    outsider_customer = CustomerFactory(team=cs.other_team, name="Globex customer")
    with pytest.raises(PermissionDenied):
        task_create_for_customer(customer=outsider_customer, membership=_m(cs, "admin"))
    assert not Task.objects.filter(customer__isnull=False).exists()


@pytest.mark.django_db
def test_admin_outside_the_team_hands_the_task_to_the_team_manager(cs):
    task, _c = task_create_for_customer(customer=cs.extra["silent"], membership=_m(cs, "admin"))
    assert task.owner == cs.users["manager"]


@pytest.mark.django_db
def test_without_any_customer_success_kpi_the_click_is_refused(cs):
    for kpi in cs.extra["kpis"].values():
        kpi.delete()
    with pytest.raises(ValidationError, match="tied to a number"):
        task_create_for_customer(customer=cs.extra["silent"], membership=_m(cs, "manager"))
    assert not Task.objects.filter(customer__isnull=False).exists()


@pytest.mark.django_db
def test_falls_back_to_churn_when_the_reason_has_no_kpi(cs):
    cs.extra["kpis"]["nps"].delete()
    task, _c = task_create_for_customer(customer=cs.extra["detractor"],
                                        membership=_m(cs, "manager"))
    assert task.decision.kpi.code == "churn_rate"


@pytest.mark.django_db
def test_the_review_is_written_in_the_company_language_not_the_clickers(cs):
    with translation.override("ja"):
        task, _c = task_create_for_customer(customer=cs.extra["silent"],
                                            membership=_m(cs, "manager"))
    assert task.title.startswith("Follow up Fuji Systems")  # the company speaks English here


# --- the page and the button ---------------------------------------------------------------


def _url(world, customer):
    return reverse("cs-customer-task", args=[world.company.slug, world.team.slug, customer.pk])


def _week_url(world):
    today = team_today(world.team)
    iso_year, iso_week, _monday = week_of(today)
    return reverse("review-detail", args=[world.company.slug, world.team.slug,
                                          f"{iso_year}-W{iso_week:02d}"])


@pytest.mark.django_db
def test_htmx_click_swaps_the_slot_for_a_link_to_this_weeks_review(cs, client):
    client.force_login(cs.users["manager"])
    response = client.post(_url(cs, cs.extra["silent"]), headers={"HX-Request": "true"})
    task = Task.objects.get(customer=cs.extra["silent"])
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<td class="cs-task-slot" id="task-slot-')
    assert "<html" not in html
    assert f'href="{_week_url(cs)}#task-{task.pk}"' in html
    assert "Task created" in html
    # A second click answers with the same link and adds nothing.
    html = client.post(_url(cs, cs.extra["silent"]), headers={"HX-Request": "true"}
                       ).content.decode()
    assert f"#task-{task.pk}" in html and "Task already open" in html
    assert Task.objects.filter(customer__isnull=False).count() == 1


@pytest.mark.django_db
def test_plain_post_redirects_back_to_the_list_with_a_message(cs, client):
    client.force_login(cs.users["manager"])
    response = client.post(_url(cs, cs.extra["silent"]), follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "cs-at-risk", args=[cs.company.slug, cs.team.slug])
    week = Task.objects.get(customer=cs.extra["silent"]).review.week_label
    assert f"Task added to the review of {week}: Follow up Fuji Systems" in \
        response.content.decode()
    assert Task.objects.filter(customer=cs.extra["silent"]).exists()


@pytest.mark.django_db
def test_a_closed_review_still_turns_the_row_into_a_task_for_next_week(cs, client):
    review = review_open_for_week(team=cs.team)
    review.status = ReviewStatus.CLOSED
    review.save(update_fields=["status"])
    client.force_login(cs.users["manager"])
    html = client.post(_url(cs, cs.extra["silent"]), headers={"HX-Request": "true"}
                       ).content.decode()
    task = Task.objects.get(customer=cs.extra["silent"])
    assert task.review.week_label in html and 'role="alert"' not in html


@pytest.mark.django_db
def test_member_gets_403_and_another_companys_customer_404(cs, client):
    client.force_login(cs.users["member"])
    assert client.post(_url(cs, cs.extra["silent"])).status_code == 403
    client.force_login(cs.users["admin"])
    foreign = CustomerFactory(team=cs.other_team, name="Globex customer")
    url = reverse("cs-customer-task", args=[cs.company.slug, cs.team.slug, foreign.pk])
    assert client.post(url).status_code == 404
    assert client.get(_url(cs, cs.extra["silent"])).status_code == 405
    assert not Task.objects.filter(customer__isnull=False).exists()


@pytest.mark.django_db
def test_at_risk_list_shows_buttons_to_managers_and_links_to_everyone(
        cs, client, django_assert_max_num_queries):
    task, _c = task_create_for_customer(customer=cs.extra["silent"], membership=_m(cs, "manager"))
    url = reverse("cs-at-risk", args=[cs.company.slug, cs.team.slug])
    client.force_login(cs.users["manager"])
    with django_assert_max_num_queries(10):
        html = client.get(url).content.decode()
    assert f'href="{_week_url(cs)}#task-{task.pk}"' in html
    assert html.count("Turn into a task") == 2  # the two rows without a task yet
    client.force_login(cs.users["viewer"])
    html = client.get(url).content.decode()
    assert f"#task-{task.pk}" in html and "Turn into a task" not in html


@pytest.mark.django_db
def test_the_task_shows_in_this_weeks_review_and_in_my_tasks(cs, client):
    task, _c = task_create_for_customer(customer=cs.extra["silent"], membership=_m(cs, "manager"))
    client.force_login(cs.users["manager"])
    html = client.get(_week_url(cs)).content.decode()
    assert f'id="task-{task.pk}"' in html
    assert "Follow up customers at risk of churning" in html
    assert reverse("customer-edit", args=[cs.company.slug, cs.team.slug,
                                          cs.extra["silent"].pk]) in html
    html = client.get(reverse("my-tasks", args=[cs.company.slug])).content.decode()
    assert "Follow up Fuji Systems: No login for 60 days" in html


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_the_same_moment_file_one_task(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    today = team_today(world.team)
    churn = focus_kpi(company=world.company, team=world.team, code="churn_rate",
                       unit="percent", focus=Focus.MONITORING)
    customer = CustomerFactory(team=world.team, name="Race Inc.",
                               contract_date=today - timedelta(100),
                               last_login=today - timedelta(60))
    second = make_user("acme-manager-2")
    Membership.objects.create(company=world.company, user=second, role=Role.MANAGER)
    TeamMembership.objects.create(team=world.team, user=second, role="manager")
    memberships = [_m(world, "manager"), Membership.objects.get(user=second)]
    outcomes = at_once(lambda m=m: task_create_for_customer(customer=customer, membership=m)
                       for m in memberships)
    assert not errors_in(outcomes)
    assert sorted(created for _task, created in outcomes) == [False, True]
    assert Task.objects.filter(customer=customer).count() == 1
    assert Decision.objects.filter(kpi=churn).count() == 1

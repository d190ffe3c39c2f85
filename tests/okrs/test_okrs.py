"""Team OKRs aligned to KPIs (issue 9): values from KPIs, scoring, contribution, check-ins,
copying, the all-or-nothing quarterly update and the pages."""
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.calendar import parse_quarter
from metrics.models import PeriodKind, Target
from okrs import scoring
from okrs import selectors as okr_selectors
from okrs import services as okr_services
from okrs.models import CheckIn, KeyResult, Objective
from tests.okrs.factories import KeyResultFactory, KpiFactory, ObjectiveFactory, measure, small_tree

TODAY = date(2026, 11, 22)


@pytest.fixture
def april(world):
    world.company.fiscal_year_start_month = 4
    world.company.save()
    return parse_quarter("2026Q3", 4)  # 2026-10-01 … 2026-12-31


def _rows(world, quarter, **kw):
    return okr_selectors.okr_rows(world.company, quarter, today=TODAY, **kw)


def test_a_lower_is_better_kr_scores_by_how_far_it_came_down():
    churn = dict(kind="metric", direction="lower", start=Decimal("1.6"), target=Decimal("1.2"))
    assert scoring.kr_progress(current=1.4, **churn) == pytest.approx(0.5)
    assert scoring.kr_progress(current=1.8, **churn) == 0.0
    assert scoring.kr_progress(current=1.1, **churn) == 1.0
    assert scoring.grade(scoring.kr_progress(current=1.28, **churn)) == 0.8


def test_control_kr_keeps_below_a_threshold():
    keep_below = dict(kind="control", direction="lower", start=None, target=6)
    assert scoring.kr_progress(current=5.9, **keep_below) == 1.0
    assert scoring.kr_progress(current=6.1, **keep_below) == 0.0


def test_objective_progress_is_the_weighted_average_of_its_krs():
    assert scoring.weighted_progress([(1.0, 1), (0.0, 1)]) == 0.5
    assert scoring.weighted_progress([(1.0, 3), (0.0, 1)]) == 0.75
    assert scoring.weighted_progress([(None, 1), (1.0, 1)]) == 0.5  # no value counts as 0
    assert scoring.weighted_progress([(1.5, 1)]) == 1.0  # clamped


@pytest.mark.django_db
def test_a_linked_churn_kr_takes_its_value_from_the_kpi_over_the_quarter_and_scores(world, april):
    kpis = small_tree(world.company)
    measure(kpis["churn"], date(2026, 9, 28), [9.9])  # before the quarter: ignored
    measure(kpis["churn"], date(2026, 10, 5), [1.5, 1.4, 1.3])  # average 1.4
    objective = ObjectiveFactory(team=world.team)
    kr = okr_services.key_result_save(objective=objective, title="Churn 1.6 → 1.2",
                                      kind="metric", kpi=kpis["churn"], start=Decimal("1.6"),
                                      target=Decimal("1.2"))
    assert (kr.direction, kr.unit) == ("lower", "percent")  # taken from the KPI
    [row] = _rows(world, april)
    [krow] = row.krs
    assert krow.current == pytest.approx(1.4)
    assert krow.progress == pytest.approx(0.5)
    assert [r[2] for r in krow.flags] == ["unlinked_kpi"]  # churn is outside revenue's tree


@pytest.mark.django_db
def test_sum_kpis_add_up_over_the_quarter_and_history_runs_week_by_week(world, april):
    kpis = small_tree(world.company)
    measure(kpis["uu"], date(2026, 10, 5), [100, 200, 300])
    objective = ObjectiveFactory(team=world.team)
    KeyResultFactory(objective=objective, kpi=kpis["uu"], start=0, target=1200)
    [row] = _rows(world, april)
    assert row.krs[0].current == 600
    assert [v for _d, v in row.krs[0].history] == [100, 300, 600]
    assert row.krs[0].chart["data"]["datasets"][0]["data"][1:4] == [8, 25, 50]


@pytest.mark.django_db
def test_an_objective_contributes_only_through_a_kr_on_a_kpi_in_the_kgi_tree(world, april):
    kpis = small_tree(world.company)
    aligned = ObjectiveFactory(team=world.team, title="aligned")
    KeyResultFactory(objective=aligned, kpi=kpis["cvr"])
    KeyResultFactory(objective=aligned)  # not linked
    vanity = ObjectiveFactory(team=world.team, title="vanity")
    KeyResultFactory(objective=vanity, kpi=kpis["followers"])
    KeyResultFactory(objective=vanity, kpi=kpis["churn"])
    rows = {r.objective.title: r for r in _rows(world, april)}
    assert rows["aligned"].contributes is True
    assert rows["vanity"].contributes is False
    assert [f[2] for f in rows["vanity"].krs[0].flags] == ["vanity", "unlinked_kpi"]
    amap = okr_selectors.alignment_map(world.company, april, today=TODAY)
    by_code = {node.kpi.code: node for node in amap["kpis"]}
    assert [node.kpi.code for node in amap["kpis"]] == ["revenue", "uu", "cvr"]
    assert [r.objective_row.objective.title for r in by_code["cvr"].krs] == ["aligned"]
    assert [o.objective.title for o in amap["not_contributing"]] == ["vanity"]


@pytest.mark.django_db
def test_a_linked_kr_refuses_a_typed_value_but_takes_confidence(world):
    kpis = small_tree(world.company)
    kr = KeyResultFactory(objective=ObjectiveFactory(team=world.team), kpi=kpis["uu"])
    with pytest.raises(ValidationError):
        okr_services.checkin_create(key_result=kr, value=Decimal(5), confidence=6)
    okr_services.checkin_create(key_result=kr, confidence=6, comment="on track")
    assert CheckIn.objects.get().confidence == 6


@pytest.mark.django_db
def test_an_unlinked_kr_check_in_sets_its_current_value(world):
    kr = KeyResultFactory(objective=ObjectiveFactory(team=world.team), target=10)
    okr_services.checkin_create(key_result=kr, value=Decimal(4), confidence=5)
    kr.refresh_from_db()
    assert kr.current == 4
    with pytest.raises(ValidationError):
        okr_services.checkin_create(key_result=kr, confidence=11)


@pytest.mark.django_db
def test_target_must_be_better_than_start_and_kpi_must_be_of_the_company(world):
    objective = ObjectiveFactory(team=world.team)
    with pytest.raises(ValidationError):
        okr_services.key_result_save(objective=objective, title="x", kind="metric",
                                     direction="higher", start=10, target=5)
    foreign = KpiFactory(company=world.other, code="uu")
    with pytest.raises(ValidationError):
        okr_services.key_result_save(objective=objective, title="x", kind="metric",
                                     kpi=foreign, start=0, target=5)


@pytest.mark.django_db
def test_copy_to_next_quarter_keeps_krs_and_links(world, april):
    kpis = small_tree(world.company)
    objective = ObjectiveFactory(team=world.team)
    KeyResultFactory(objective=objective, kpi=kpis["cvr"], start=1, target=2)
    KeyResultFactory(objective=objective, start=0, target=10, current=4)
    copy = okr_services.objective_copy_to_next_quarter(objective=objective,
                                                       company=world.company)
    assert (copy.quarter, copy.quarter_start) == ("2026Q4", date(2027, 1, 1))
    krs = list(copy.key_results.order_by("pk"))
    assert krs[0].kpi == kpis["cvr"] and krs[1].start == 4  # restarts from where it stood


def _review_setup(world):
    kpis = small_tree(world.company)
    objective = ObjectiveFactory(team=world.team)
    kr = KeyResultFactory(objective=objective, kpi=kpis["cvr"], start=1, target=2)
    old = Target.objects.create(kpi=kpis["cvr"], period_kind=PeriodKind.QUARTER,
                                period_start=date(2027, 1, 1), value=Decimal("1.8"))
    return kpis, kr, old


@pytest.mark.django_db
def test_quarterly_update_keeps_the_old_threshold_as_history(world, april):
    kpis, kr, old = _review_setup(world)
    okr_services.quarter_review_apply(team=world.team, quarter=april, scores={kr.pk: "0.7"},
                                      thresholds={kpis["cvr"].pk: "2.1", kpis["uu"].pk: "5000"})
    old.refresh_from_db()
    assert old.superseded_at is not None
    current = Target.objects.get(kpi=kpis["cvr"], superseded_at__isnull=True)
    assert (current.value, current.period_kind, current.period_start) == (
        Decimal("2.1"), "quarter", date(2027, 1, 1))
    assert Target.objects.filter(kpi=kpis["cvr"]).count() == 2
    kr.refresh_from_db()
    assert kr.final_score == Decimal("0.70")


@pytest.mark.django_db
@pytest.mark.parametrize("bad", [
    {"thresholds": {"cvr": "2.1", "uu": "lots"}},
    {"thresholds": {"cvr": "2.1", "foreign": "5"}},
    {"thresholds": {"cvr": "2.1"}, "scores": {"kr": "1.4"}},
])
def test_quarterly_update_is_all_or_nothing(world, april, bad):
    kpis, kr, old = _review_setup(world)
    foreign = KpiFactory(company=world.other, code="cvr")
    ids = {"cvr": kpis["cvr"].pk, "uu": kpis["uu"].pk, "foreign": foreign.pk, "kr": kr.pk}
    thresholds = {ids[k]: v for k, v in bad["thresholds"].items()}
    scores = {ids[k]: v for k, v in bad.get("scores", {}).items()}
    with pytest.raises(ValidationError):
        okr_services.quarter_review_apply(team=world.team, quarter=april, scores=scores,
                                          thresholds=thresholds)
    old.refresh_from_db()
    assert old.superseded_at is None
    assert Target.objects.filter(kpi__company=world.company).count() == 1
    assert KeyResult.objects.get(pk=kr.pk).final_score is None


@pytest.mark.django_db
def test_review_page_applies_in_one_post_and_a_bad_row_applies_nothing(client, world, april):
    kpis, kr, old = _review_setup(world)
    client.force_login(world.user("manager"))
    url = reverse("okr-quarter-review-apply", args=[world.company.slug, world.team.slug])
    response = client.post(url, {"quarter": "2026Q3", f"score-{kr.pk}": "0.5",
                                 f"threshold-{kpis['cvr'].pk}": "x"})
    assert response.status_code == 400
    assert Target.objects.filter(superseded_at__isnull=False).count() == 0
    response = client.post(url, {"quarter": "2026Q3", f"score-{kr.pk}": "0.5",
                                 f"threshold-{kpis['cvr'].pk}": "2.2"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "KGI target consistency" in page.content.decode() or "整合" in page.content.decode()


@pytest.mark.django_db
def test_threshold_proposal_prefers_next_quarters_kr_else_the_trend(world, april):
    kpis, kr, _old = _review_setup(world)
    kpis["uu"].team = world.team
    kpis["uu"].focus = "active"
    kpis["uu"].save()
    measure(kpis["uu"], date(2026, 8, 3), [100 + 10 * i for i in range(13)])
    nxt = ObjectiveFactory(team=world.team, quarter="2026Q4", quarter_start=date(2027, 1, 1))
    KeyResultFactory(objective=nxt, kpi=kpis["cvr"], start=2, target=Decimal("2.4"))
    proposals = {p.kpi.code: p for p in okr_review_proposals(world, april)}
    assert proposals["cvr"].proposed == pytest.approx(2.4)
    assert proposals["uu"].proposed > 13 * 220  # a rising trend summed over 13 weeks


def okr_review_proposals(world, quarter):
    from okrs.review import threshold_proposals

    return threshold_proposals(world.company, world.team, quarter, today=TODAY)


@pytest.mark.django_db
def test_manager_creates_objective_and_kr_with_htmx_and_member_may_only_check_in(client, world,
                                                                                 april):
    kpis = small_tree(world.company)
    base = [world.company.slug, world.team.slug]
    client.force_login(world.user("manager"))
    response = client.post(reverse("okr-objective-create", args=base),
                           {"quarter": "2026Q3", "title": "Grow conversions"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Grow conversions" in response.content.decode()
    objective = Objective.objects.get(title="Grow conversions")
    response = client.post(reverse("okr-kr-create", args=[*base, objective.pk]),
                           {"title": "CVR 2%", "kind": "metric", "kpi": kpis["cvr"].pk,
                            "start": "1.5", "target": "2"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    kr = KeyResult.objects.get(title="CVR 2%")
    assert kr.kpi == kpis["cvr"]
    client.force_login(world.user("member"))
    assert client.post(reverse("okr-kr-delete", args=[*base, kr.pk])).status_code == 403
    response = client.post(reverse("okr-checkin", args=[*base, kr.pk]),
                           {"confidence": "7", "comment": "ok"})
    assert response.status_code == 302 and kr.checkins.count() == 1


@pytest.mark.django_db
def test_another_companys_kpi_id_is_a_form_error_not_a_500(client, world, april):
    foreign = KpiFactory(company=world.other, code="cvr")
    objective = ObjectiveFactory(team=world.team)
    client.force_login(world.user("manager"))
    url = reverse("okr-kr-create", args=[world.company.slug, world.team.slug, objective.pk])
    response = client.post(url, {"title": "x", "kind": "metric", "kpi": foreign.pk,
                                 "start": "0", "target": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert not KeyResult.objects.filter(title="x").exists()


@pytest.mark.django_db
def test_okr_page_and_alignment_map_query_counts(client, world, april,
                                                 django_assert_max_num_queries):
    kpis = small_tree(world.company)
    for i in range(4):
        objective = ObjectiveFactory(team=world.team, title=f"O{i}")
        for code in ("uu", "cvr", "churn"):
            kr = KeyResultFactory(objective=objective, kpi=kpis[code])
            CheckIn.objects.create(key_result=kr, confidence=5)
    client.force_login(world.user("manager"))
    with django_assert_max_num_queries(20):
        page = client.get(reverse("okr-list", args=[world.company.slug, world.team.slug])
                          + "?quarter=2026Q3")
    assert page.status_code == 200
    with django_assert_max_num_queries(20):
        page = client.get(reverse("alignment-map", args=[world.company.slug])
                          + "?quarter=2026Q3")
    assert page.status_code == 200


@pytest.mark.django_db
def test_api_lists_okrs_with_alignment(client, world, april):
    from teams.services import api_token_create

    kpis = small_tree(world.company)
    objective = ObjectiveFactory(team=world.team)
    KeyResultFactory(objective=objective, kpi=kpis["cvr"])
    _token, raw = api_token_create(company=world.company, user=world.user("viewer"), name="t")
    response = client.get(f"/api/v1/{world.company.slug}/okrs?quarter=2026Q3",
                          headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    data = response.json()
    assert data["quarter"] == "2026Q3" and data["kgi_kpi"] == "revenue"
    assert data["objectives"][0]["contributes_to_kgi"] is True
    assert data["objectives"][0]["key_results"][0]["value_source"] == "kpi"


@pytest.mark.django_db
def test_seed_okrs_is_idempotent():
    from kgiapp.management.commands.seed_demo import run_steps

    company = run_steps("demo")
    count = (Objective.objects.count(), KeyResult.objects.count(), CheckIn.objects.count())
    run_steps("demo")
    assert count == (Objective.objects.count(), KeyResult.objects.count(),
                     CheckIn.objects.count())
    rows = okr_selectors.okr_rows(company, okr_selectors.current_quarter(company))
    assert any(r.contributes for r in rows) and any(not r.contributes for r in rows)

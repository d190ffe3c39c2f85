"""Derive targets on the tree: node checks, goal seek applied in one click, cascade."""
import math
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from metrics.models import KgiStatus, Target
from metrics.target_plan import month_start
from metrics.targets import TargetRefused, target_set
from metrics.tree.apply import cascade_apply, cascade_preview, goal_seek_apply, seek_preview
from metrics.tree.plan import CascadeRefused
from metrics.tree.presenter import build_tree
from tests.metrics.factories import KgiFactory, KpiFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(world):
    c, team = world.company, world.team
    k = {
        "revenue": KpiFactory(company=c, code="revenue", unit="JPY", cadence="monthly",
                              formula="uu * cvr * aov"),
        "uu": KpiFactory(company=c, code="uu", cadence="weekly", team=team,
                         formula="paid + organic"),
        "paid": KpiFactory(company=c, code="paid", cadence="weekly", team=team),
        "organic": KpiFactory(company=c, code="organic", cadence="weekly", team=team),
        "cvr": KpiFactory(company=c, code="cvr", unit="percent", aggregation="average"),
        "aov": KpiFactory(company=c, code="aov", unit="JPY", aggregation="average",
                          formula="price * items"),
        "price": KpiFactory(company=c, code="price", unit="JPY", aggregation="average"),
        "items": KpiFactory(company=c, code="items", unit="ratio", aggregation="average"),
    }
    today = timezone.localdate()
    KgiFactory(company=c, kpi=k["revenue"], status=KgiStatus.ACTIVE, target=Decimal(83_000_000),
               start_date=date(today.year - 1, 1, 1), deadline=date(today.year + 1, 12, 31))
    month = month_start(today)
    for code, value in {"uu": 120_000, "paid": 70_000, "organic": 50_000, "cvr": "2.0",
                        "aov": 3_450, "price": 1_500, "items": "2.3"}.items():
        target_set(kpi=k[code], period=month, value=value)
    return k


def test_goal_seek_previews_then_applies_aov_in_one_click(shop, world):
    change, fp, computed = seek_preview(world.company, "aov")
    assert round(computed) == 8_280_000  # the article's digit slip: 10× short
    assert change.old == Decimal(3450) and round(change.new) == 34_583
    goal_seek_apply(company=world.company, code="aov", expected=fp, user=world.user("admin"))
    current = Target.objects.get(kpi=shop["aov"], superseded_at__isnull=True)
    assert round(current.value) == 34_583 and current.created_by == world.user("admin")
    assert Target.objects.filter(kpi=shop["aov"]).count() == 2  # the old one kept
    assert build_tree(world.company).consistency["ok"]


def test_a_stale_preview_is_refused_and_nothing_changes(shop, world):
    _change, fp, _c = seek_preview(world.company, "aov")
    target_set(kpi=shop["cvr"], period=month_start(timezone.localdate()), value="2.5")
    with pytest.raises(TargetRefused) as refused:
        goal_seek_apply(company=world.company, code="aov", expected=fp)
    assert refused.value.code == "stale"
    assert Target.objects.get(kpi=shop["aov"], superseded_at__isnull=True).value == 3450


def test_the_check_names_the_first_node_whose_inputs_do_not_add_up(shop, world):
    tree = build_tree(world.company)
    assert tree.first_bad.kpi.code == "revenue"  # 8.28M against 83M, top down first
    assert {c.kpi.code: c.ok for c in tree.node_checks} == {
        "revenue": False, "uu": True, "aov": True}


def test_cascade_lifts_free_leaves_equally_keeps_fixed_and_makes_the_tree_consistent(shop, world):
    _tree, changes, fp = cascade_preview(world.company, "revenue", {"cvr"})
    new = {ch.kpi.code: ch.new for ch in changes}
    assert set(new) == {"paid", "organic", "price", "items", "uu", "aov"}
    lift = new["paid"] / Decimal(70_000)
    assert new["organic"] / Decimal(50_000) == pytest.approx(lift, rel=Decimal("1e-6"))
    assert new["price"] / Decimal(1_500) == pytest.approx(lift, rel=Decimal("1e-6"))
    cascade_apply(company=world.company, node="revenue", fixed={"cvr"}, expected=fp)
    tree = build_tree(world.company)
    assert tree.first_bad is None and len(tree.node_checks) == 3
    for check in tree.node_checks:
        assert abs(check.computed / check.target - 1) <= 0.005
    assert Target.objects.get(kpi=shop["cvr"], superseded_at__isnull=True).value == 2


def test_a_cascade_over_a_zero_or_missing_leaf_is_refused_and_nothing_saved(shop, world):
    target_set(kpi=shop["organic"], period=month_start(timezone.localdate()), value=0)
    before = Target.objects.count()
    with pytest.raises(CascadeRefused) as refused:
        cascade_preview(world.company, "uu", set())
    assert refused.value.code == "zero_leaf"
    Target.objects.filter(kpi=shop["price"]).delete()
    with pytest.raises(CascadeRefused) as refused:
        cascade_preview(world.company, "aov", set())
    assert refused.value.code == "missing_leaf" and "price" in str(refused.value.message)
    assert Target.objects.count() == before - 1


def test_seek_apply_and_cascade_pages(shop, world, client):
    client.force_login(world.user("admin"))
    page = client.get("/acme/tree/?seek=aov").content.decode()
    assert 'data-testid="seek-apply"' in page and 'data-testid="first-bad"' in page
    _change, fp, _c = seek_preview(world.company, "aov")
    answer = client.post("/acme/tree/seek/apply/", {"seek": "aov", "fp": fp})
    assert answer.status_code == 302
    # Revenue now adds up; AOV's own inputs (¥1,500 × 2.3) are the next to fix.
    after = client.get("/acme/tree/").content.decode()
    first_bad = after.split('data-testid="first-bad"')[1].split("</p>")[0]
    assert "指標 aov" in first_bad and "¥3,450" in first_bad
    preview = client.get("/acme/tree/cascade/?node=uu&fixed=paid")
    assert preview.status_code == 200 and 'data-testid="cascade-proposal"' in \
        preview.content.decode()
    assert client.get("/acme/tree/cascade/?node=nope").status_code == 422


def test_cascade_by_sensitivity_moves_the_strongest_lever_most_and_adds_up(shop, world):
    _tree, changes, fp = cascade_preview(world.company, "revenue", {"cvr"}, "sensitivity")
    new = {ch.kpi.code: ch.new for ch in changes}
    lift = {code: math.log(float(new[code]) / old) for code, old in
            {"paid": 70_000, "organic": 50_000, "price": 1_500, "items": 2.3}.items()}
    # 1 % of price or items moves revenue 1 %; 1 % of paid UU moves it 70/120 of that.
    assert lift["price"] == pytest.approx(lift["items"], rel=1e-4)
    assert lift["paid"] / lift["price"] == pytest.approx(70 / 120, rel=1e-3)
    assert lift["organic"] / lift["price"] == pytest.approx(50 / 120, rel=1e-3)
    _t, equal, _fp = cascade_preview(world.company, "revenue", {"cvr"}, "equal")
    assert {ch.kpi.code: ch.new for ch in equal}["paid"] != new["paid"]
    cascade_apply(company=world.company, node="revenue", fixed={"cvr"}, expected=fp,
                  rule="sensitivity", user=world.user("admin"))
    tree = build_tree(world.company)
    assert tree.first_bad is None
    for check in tree.node_checks:
        assert abs(check.computed / check.target - 1) <= 0.005
    row = Target.objects.get(kpi=shop["price"], superseded_at__isnull=True)
    assert "感度" in row.note or "sensitivity" in row.note


def test_an_unsolvable_cascade_is_named_and_applies_nothing_by_either_rule(shop, world):
    target_set(kpi=shop["paid"], period=month_start(timezone.localdate()), value=0)
    before = list(Target.objects.values_list("pk", "superseded_at"))
    for rule in ("equal", "sensitivity"):
        with pytest.raises(CascadeRefused) as refused:
            cascade_apply(company=world.company, node="revenue", fixed=set(), expected="x",
                          rule=rule)
        assert refused.value.code == "zero_leaf" and "paid" in str(refused.value.message)
    assert list(Target.objects.values_list("pk", "superseded_at")) == before


def test_the_cascade_page_offers_both_rules(shop, world, client):
    client.force_login(world.user("admin"))
    page = client.get("/acme/tree/cascade/?node=revenue&fixed=cvr&rule=sensitivity")
    html = page.content.decode()
    assert page.status_code == 200 and 'value="sensitivity" checked' in html
    _t, _c, fp = cascade_preview(world.company, "revenue", {"cvr"}, "sensitivity")
    assert f'name="fp" value="{fp}"' in html
    answer = client.post("/acme/tree/cascade/", {"node": "revenue", "fixed": "cvr",
                                                 "rule": "sensitivity", "fp": fp})
    assert answer.status_code == 302 and build_tree(world.company).first_bad is None


def test_each_node_says_which_period_its_latest_number_and_target_are(shop, world, client):
    """A weekly KPI's latest week beside a monthly target must not read as one figure."""
    from tests.reviews.factories import measure

    measure(shop["uu"], date(2026, 11, 30), 34_487)
    client.force_login(world.user("admin"))
    page = client.get("/acme/tree/").content.decode()
    assert "最新週 34,487" in page
    assert "今月の目標 <b>120,000</b>" in page
    assert "KGI目標 <b>¥83,000,000</b>" in page

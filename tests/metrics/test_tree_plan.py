"""Derive targets on the tree: node checks, goal seek applied in one click, cascade."""
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from metrics.models import KgiStatus, Target
from metrics.target_plan import month_start
from metrics.targets import TargetRefused, target_set
from metrics.tree.apply import cascade_apply, cascade_preview, goal_seek_apply, seek_preview
from metrics.tree.plan import CascadeRefused
from metrics.tree.selectors import build_tree
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

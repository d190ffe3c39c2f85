"""A target set through each path — KPI page, tree node, numbers grid, spreadsheet import,
API — is read back the same in the weekly review (page data and reviews API), on the
dashboard card and by the targets API at week grain: one writer, one reader."""
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.calendar import days_in_month, month_start, week_of
from metrics.measurements import Entry, measurements_bulk_upsert
from metrics.models import KgiStatus, Target
from reviews.selectors import live_numbers
from reviews.services import review_open_for_week
from teams.services import api_token_create
from tests.metrics.factories import KgiFactory, KpiFactory

pytestmark = pytest.mark.django_db

PATHS = ["page", "tree", "grid", "import", "api"]


@pytest.fixture
def plan(world):
    """orders: a weekly summed focus KPI of sales under the KGI; this month's first full
    week has a number, and the review of the week after it compares it."""
    today = timezone.localdate()
    month = month_start(today)
    orders = KpiFactory(company=world.company, code="orders", name_ja="注文数", unit="count",
                        cadence="weekly", aggregation="sum", team=world.team, focus="active")
    root = KpiFactory(company=world.company, code="revenue", unit="JPY", cadence="monthly",
                      formula="orders * 3000")
    KgiFactory(company=world.company, kpi=root, status=KgiStatus.ACTIVE,
               start_date=today - timedelta(days=365), deadline=today + timedelta(days=365))
    monday = month + timedelta(days=(7 - month.weekday()) % 7)  # the first full week
    measurements_bulk_upsert(company=world.company,
                             entries=[Entry(orders, monday, Decimal(6_800))])
    return {"kpi": orders, "month": month, "monday": monday,
            "total": 1_000 * days_in_month(month)}  # 7,000 a week


def _api(client, world, role, method, path, body=None):
    _token, raw = api_token_create(company=world.company, user=world.user(role), name=method)
    kwargs = {"headers": {"Authorization": f"Bearer {raw}"}}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(f"/api/v1/acme/{path}", **kwargs)


def set_target(path, client, world, plan):
    month, total = plan["month"], plan["total"]
    if path == "page":
        client.force_login(world.user("admin"))
        answer = client.post("/acme/kpis/orders/targets/", {
            "period": month.isoformat(), "kind": "month", "value": f"{total:,}",
            "reason": "plan"})
        assert answer.status_code == 302
    elif path == "tree":
        client.force_login(world.user("admin"))
        assert 'data-testid="node-target-orders"' in client.get("/acme/tree/").content.decode()
        answer = client.post("/acme/kpis/orders/targets/", {
            "period": month.isoformat(), "kind": "month", "value": str(total), "next": "tree"})
        assert answer["Location"] == "/acme/tree/"
    elif path == "grid":
        client.force_login(world.user("manager"))
        wide = str(total).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        answer = client.post(reverse("numbers-target", args=["acme", "sales"]), {
            "kpi": plan["kpi"].pk, "period": month.isoformat(), "target": wide},
            headers={"HX-Request": "true"})
        assert "cell-saved" in answer.content.decode()
    elif path == "import":
        client.force_login(world.user("admin"))
        text = f"kpi,period,value\norders,{month.year}年{month.month}月,{total / 10_000}万\n"
        page = client.post(reverse("import-upload", args=["acme"]), {
            "layout": "targets", "file": SimpleUploadedFile("plan.csv", text.encode())})
        token = page.content.decode().split('name="token" value="')[1].split('"')[0]
        answer = client.post(reverse("import-targets-commit", args=["acme"]), {"token": token})
        assert answer.status_code == 302
    else:
        answer = _api(client, world, "admin", "put", "kpis/orders/targets", {
            "targets": [{"period": month.replace(day=15).isoformat(), "value": total}]})
        assert answer.status_code == 200, answer.content


@pytest.mark.parametrize("path", PATHS)
def test_a_target_set_through_each_path_reads_back_in_review_dashboard_and_api(
        path, client, world, plan):
    set_target(path, client, world, plan)
    kpi, monday = plan["kpi"], plan["monday"]
    current = Target.objects.get(kpi=kpi, superseded_at__isnull=True)
    assert (current.period_start, current.value) == (plan["month"], Decimal(plan["total"]))

    # The weekly review of the following week: its number's week holds 7 days' share.
    review = review_open_for_week(team=world.team, day=monday + timedelta(days=7))
    row = next(r for r in live_numbers(review) if r["code"] == "orders")
    assert (row["period_start"], Decimal(row["target"])) == (monday.isoformat(), 7_000)
    week = f"{week_of(review.week_start).year}-W{week_of(review.week_start).week:02d}"
    answer = _api(client, world, "viewer", "get", f"teams/sales/reviews?week={week}").json()
    number = next(n for n in answer[0]["numbers"] if n["code"] == "orders")
    assert Decimal(number["target"]) == 7_000

    # The dashboard's card: the latest number (6,800) against its week's target.
    client.force_login(world.user("viewer"))
    dashboard = client.get(reverse("dashboard", args=["acme"])).content.decode()
    card = dashboard.split('href="/acme/kpis/orders/"')[1].split("</article>")[0]
    assert "6,800" in card and "7,000" in card.split('kpi-target">')[1].split("</span>")[0]

    # The API at week grain.
    weekly = _api(client, world, "viewer", "get",
                  f"kpis/orders/targets?grain=week&start={monday}&end={monday}").json()
    assert weekly == [{"period": monday.isoformat(), "value": "7000.0000"}]


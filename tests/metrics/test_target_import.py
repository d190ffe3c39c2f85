"""The "targets" layout of the import page: read like numbers, previewed, written at once."""
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from metrics.models import KgiStatus, Target
from metrics.targets import load_plan
from tests.metrics.factories import KgiFactory, KpiFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kpis(world):
    c = world.company
    out = {
        "revenue": KpiFactory(company=c, code="revenue", name_ja="売上", unit="JPY",
                              cadence="monthly", formula="orders * aov"),
        "orders": KpiFactory(company=c, code="orders", name_ja="注文数", unit="count",
                             cadence="weekly", team=world.team),
        "aov": KpiFactory(company=c, code="aov", name_ja="平均注文額", unit="JPY",
                          aggregation="average", team=world.team),
        "cvr": KpiFactory(company=c, code="cvr", name_ja="購入率", unit="percent",
                          aggregation="average", team=world.team),
    }
    KgiFactory(company=c, kpi=out["revenue"], status=KgiStatus.ACTIVE,
               start_date=date(2026, 4, 1), deadline=date(2027, 3, 31))
    return out


def upload(client, text, name="targets.csv", encoding="utf-8"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("import-upload", args=["acme"]), {
        "layout": "targets", "file": SimpleUploadedFile(name, text.encode(encoding))})


WIDE = ("期間,売上,注文数,平均注文額,購入率\n"
        "令和9年1月,8300万,１２，０００,\"3,450\",2.0%\n"
        "2027/2/15,9億6000万,13600,3500,2.1%\n")


def test_a_wide_targets_file_is_previewed_then_written_all_at_once(client, world, kpis):
    client.force_login(world.user("admin"))
    page = upload(client, WIDE)
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="target-import-preview"' in html
    assert not Target.objects.exists()
    token = html.split('name="token" value="')[1].split('"')[0]
    answer = client.post(reverse("import-targets-commit", args=["acme"]),
                         {"token": token, "filename": "targets.csv"})
    assert answer.status_code == 302
    plan = load_plan(world.company)
    assert plan.at(kpis["revenue"], "month", date(2027, 1, 1)) == Decimal(83_000_000)
    assert plan.at(kpis["revenue"], "month", date(2027, 2, 1)) == Decimal(960_000_000)
    assert plan.at(kpis["orders"], "month", date(2027, 1, 1)) == Decimal(12_000)
    assert plan.at(kpis["cvr"], "month", date(2027, 2, 1)) == Decimal("2.1")
    row = Target.objects.get(kpi=kpis["aov"], period_start=date(2027, 2, 1))
    assert row.created_by == world.user("admin") and "targets.csv" in row.note
    assert Target.objects.count() == 8


def test_every_problem_is_named_by_row_and_column_and_nothing_is_written(client, world, kpis):
    client.force_login(world.user("admin"))
    bad = ("kpi,period,value\n"
           "orders,2027-01-01,たくさん\n"  # row 2: not a number
           "cvr,2027-01-01,140%\n"  # row 3: a rate over 100 %
           "aov,2027-06-01,3500\n"  # row 4: outside the KGI's window
           "orders,2027-02-01,-5\n")  # row 5: a negative count
    page = upload(client, bad)
    html = page.content.decode()
    assert page.status_code == 422 and 'data-testid="target-import-problems"' in html
    problems = html.split('data-testid="target-import-problems"')[1]
    for row in ("2", "3", "5"):
        assert f'<td class="num">{row}</td>' in problems
    assert "value" in problems
    assert not Target.objects.exists()
    window = upload(client, "kpi,period,value\naov,2027-06-01,3500\n").content.decode()
    assert '<td class="num">2</td>' in window and "2027-06-01" in window
    assert not Target.objects.exists()


def test_a_member_may_import_numbers_but_not_targets(client, world, kpis):
    client.force_login(world.user("member"))
    html = upload(client, "kpi,period,value\norders,2027-01-01,100\n").content.decode()
    assert "not_allowed" not in html and "注文数" in html and 'name="token"' not in html
    assert not Target.objects.exists()


def test_a_tampered_token_writes_nothing(client, world, kpis):
    client.force_login(world.user("admin"))
    html = upload(client, WIDE).content.decode()
    token = html.split('name="token" value="')[1].split('"')[0]
    answer = client.post(reverse("import-targets-commit", args=["acme"]),
                         {"token": token[:-2] + "xx"})
    assert answer.status_code == 422 and not Target.objects.exists()

"""A KR aligned to a KPI: the form shows the KPI's quarter, refuses another scale, reads
numbers like the grid and keeps what was typed when it refuses."""
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from core.calendar import parse_quarter
from metrics.models import PeriodKind
from metrics.targets import target_set
from tests.okrs.factories import KpiFactory, ObjectiveFactory, measure

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(world):
    world.company.fiscal_year_start_month = 4
    world.company.save()
    kpi = KpiFactory(company=world.company, code="orders", name_ja="注文数", unit="count",
                     cadence="weekly", aggregation="sum", team=world.team)
    measure(kpi, date(2026, 10, 5), [13_600] * 8)  # 108,800 so far in FY2026 Q3
    # The plan for the quarter (Oct–Dec): 180,000 orders.
    target_set(kpi=kpi, period=date(2026, 10, 1), value=180_000, kind=PeriodKind.QUARTER)
    assert parse_quarter("2026Q3", 4).start == date(2026, 10, 1)
    return kpi


def post_kr(client, world, objective, **fields):
    data = {"title": "More orders", "kind": "metric", "kpi": "", "start": "", "target": "",
            "weight": "1", "direction": "higher", "unit": "count", **fields}
    return client.post(reverse("okr-kr-create", args=["acme", world.team.slug, objective.pk]),
                       data, headers={"HX-Request": "true"})


def test_a_weeks_number_for_a_quarters_sum_is_refused_and_what_was_typed_stays(
        client, world, orders):
    objective = ObjectiveFactory(team=world.team)
    client.force_login(world.user("manager"))
    html = post_kr(client, world, objective, kpi=orders.pk, start="13,600",
                   target="１５，６４０").content.decode()
    assert not objective.key_results.exists()
    assert "FY2026 Q3" in html and "180,000" in html and "15,640" in html
    form = html.split(f'data-testid="kr-form-{objective.pk}"')[1].split("</form>")[0]
    assert 'value="13,600"' in form and 'value="１５，６４０"' in form
    assert f'<option value="{orders.pk}" selected' in form


def test_numbers_on_the_quarter_scale_are_read_like_the_grid(client, world, orders):
    objective = ObjectiveFactory(team=world.team)
    client.force_login(world.user("manager"))
    post_kr(client, world, objective, kpi=orders.pk, start="15万", target="１８０，０００")
    kr = objective.key_results.get()
    assert (kr.start, kr.target, kr.kpi_id) == (Decimal(150_000), Decimal(180_000), orders.pk)


def test_ticking_the_scale_is_right_lets_a_deliberate_number_through(client, world, orders):
    objective = ObjectiveFactory(team=world.team)
    client.force_login(world.user("manager"))
    post_kr(client, world, objective, kpi=orders.pk, start="1.5万", target="20,000",
            scale_ok="on")
    assert objective.key_results.get().target == Decimal(20_000)


def test_a_non_number_is_named_and_kept_and_an_unlinked_kr_has_no_scale(client, world, orders):
    objective = ObjectiveFactory(team=world.team)
    client.force_login(world.user("manager"))
    html = post_kr(client, world, objective, start="0", target="たくさん").content.decode()
    assert 'value="たくさん"' in html and 'role="alert"' in html
    assert not objective.key_results.exists()
    post_kr(client, world, objective, start="0", target="1.5万")
    assert objective.key_results.get().target == Decimal(15_000)


def test_the_edit_form_shows_the_kpis_quarter_value_and_aggregation(client, world, orders):
    objective = ObjectiveFactory(team=world.team)
    client.force_login(world.user("manager"))
    post_kr(client, world, objective, kpi=orders.pk, start="150000", target="180000")
    page = client.get(reverse("okr-list", args=["acme", world.team.slug]) + "?quarter=2026Q3")
    html = page.content.decode()
    hint = html.split('data-testid="kr-kpi-hint"')[1].split("</p>")[0]
    assert "108,800" in hint and "FY2026 Q3" in hint and "180,000" in hint
    assert "合計" in hint  # the KPI's aggregation, in the company's language





def test_choosing_a_kpi_fetches_its_quarter_hint_of_this_company_only(client, world, orders):
    client.force_login(world.user("member"))
    url = reverse("okr-kr-kpi-hint", args=["acme", world.team.slug])
    html = client.get(url, {"kpi": orders.pk, "quarter": "2026Q3"},
                      headers={"HX-Request": "true"}).content.decode()
    assert "108,800" in html and "180,000" in html
    other = KpiFactory(company=world.other, code="orders")
    assert "kr-kpi-hint" not in client.get(url, {"kpi": other.pk}).content.decode()

"""The spreadsheet template for the numbers: what it holds, that the importer reads it back,
and the first reforecast's readiness (which KPIs lack how much history)."""
import io
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from core.calendar import month_start
from metrics.analytics.readiness import MIN_HISTORY, reforecast_readiness
from metrics.catalog.services import template_instantiate
from metrics.imports import import_analyze, import_batch_create, import_commit
from metrics.models import ImportStatus, Kpi, Measurement
from metrics.numbers_template import numbers_template, template_periods
from teams.models import Company, Membership, Role, Team

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)  # a Thursday; December starts on a Tuesday


@pytest.fixture
def company():
    company = Company.objects.create(slug="saas", name="SaaS")
    team = Team.objects.create(company=company, slug="sales", name="営業")
    template_instantiate(company=company, key="b2b_saas", team=team)
    return company


@pytest.fixture
def admin(company):
    user = get_user_model().objects.create_user("owner", "owner@example.com", "pw")
    return Membership.objects.create(company=company, user=user, role=Role.ADMIN)


def _sheet(data):
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return workbook, workbook.active


def test_periods_reach_twelve_weeks_before_this_month_at_each_cadence():
    weeks = template_periods(TODAY, "weekly")
    assert weeks[0] == date(2026, 9, 7)  # the Monday of 2026-12-01 − 84 days (Sep 8)
    assert weeks[-1] == date(2026, 11, 30)  # this week
    assert sum(1 for d in weeks if d < month_start(TODAY)) >= MIN_HISTORY["weekly"]
    months = template_periods(TODAY, "monthly")
    assert months == [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]


def test_template_has_a_column_per_measured_kpi_and_greys_other_cadences(company, admin):
    workbook, sheet = _sheet(numbers_template(company, admin, today=TODAY))
    headers = [c.value for c in sheet[1]]
    measured = set(Kpi.objects.filter(company=company, formula="").values_list("name_ja",
                                                                                flat=True))
    assert headers[0] == "period" and set(headers[1:]) == measured
    assert "ARR" not in headers and "新規ARR" not in headers  # computed by formula
    periods = [row[0].value.date() for row in sheet.iter_rows(min_row=2)]
    assert periods == sorted(set(template_periods(TODAY, "weekly"))
                             | set(template_periods(TODAY, "monthly")))
    mqls = headers.index("MQL数") + 1
    december = periods.index(date(2026, 12, 1)) + 2
    assert sheet.cell(row=december, column=mqls).fill.fgColor.rgb.endswith("DDDDDD")
    # The KPI list names each code, the KGI tree's leaves first.
    listed = [row[0].value for row in workbook.worksheets[1].iter_rows(min_row=4)]
    assert listed[0] == "starting_arr" and "mqls" in listed and "arr" not in listed


def test_a_filled_template_imports_and_then_the_first_reforecast_is_ready(company, admin):
    as_of = month_start(TODAY)
    before = reforecast_readiness(company, as_of=as_of)
    assert not before.ready and not before.problem
    assert {s.kpi.code: (s.have, s.need) for s in before.shortfalls}["mqls"] == (0, 12)

    workbook, sheet = _sheet(numbers_template(company, admin, today=TODAY))
    for row in sheet.iter_rows(min_row=2):
        for cell in row[1:]:
            if not cell.fill.fgColor.rgb.endswith("DDDDDD"):
                cell.value = 20 + cell.row  # percentages in points, counts, yen alike
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch = import_batch_create(company=company, user=admin.user, filename="filled.xlsx",
                                data=buffer.getvalue(), language="ja")
    import_analyze(batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.READY, batch.problems
    batch = import_commit(batch_id=batch.pk, user=admin.user)
    assert batch.status == ImportStatus.DONE
    assert Measurement.objects.filter(kpi__code="mqls").count() == len(
        template_periods(TODAY, "weekly"))
    assert reforecast_readiness(company, as_of=as_of).ready

    # Downloaded again, the template carries the numbers already stored.
    _workbook, sheet = _sheet(numbers_template(company, admin, today=TODAY))
    headers = [c.value for c in sheet[1]]
    # Row 2 is September (monthly KPIs only), row 3 the week of 7 September.
    assert sheet.cell(row=2, column=headers.index("MQL数") + 1).value is None
    assert sheet.cell(row=3, column=headers.index("MQL数") + 1).value == 23


def test_readiness_names_each_short_kpi_and_what_it_lacks(company):
    mqls = Kpi.objects.get(company=company, code="mqls")
    monday = date(2026, 11, 23)
    Measurement.objects.bulk_create([
        Measurement(company=company, kpi=mqls, period_start=monday - timedelta(weeks=i),
                    value=Decimal(10)) for i in range(5)])
    short = {s.kpi.code: s for s in reforecast_readiness(company,
                                                          as_of=month_start(TODAY)).shortfalls}
    assert (short["mqls"].have, short["mqls"].need, short["mqls"].missing) == (5, 12, 7)
    assert short["starting_arr"].need == MIN_HISTORY["monthly"]


def test_the_download_is_for_contributors_and_lists_only_their_kpis(client, company, admin):
    member = get_user_model().objects.create_user("member")
    Membership.objects.create(company=company, user=member, role=Role.MEMBER)
    client.force_login(member)
    response = client.get(reverse("numbers-template", args=["saas"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('numbers-template.xlsx"')
    # Not in the sales team: a member may enter none of its KPIs.
    assert [c.value for c in _sheet(response.content)[1][1]] == ["period"]


def test_names_that_look_like_formulas_are_never_written_as_formulas(company, admin):
    Kpi.objects.filter(company=company, code="mqls").update(name_ja="=HYPERLINK(\"x\")",
                                                             name_en="=HYPERLINK(\"x\")")
    workbook, sheet = _sheet(numbers_template(company, admin, today=TODAY))
    headers = [c.value for c in sheet[1]]
    assert "mqls" in headers and not any(str(h).startswith("=") for h in headers)
    names = [row[1].value for row in workbook.worksheets[1].iter_rows(min_row=4)]
    assert "'=HYPERLINK(\"x\")" in names
    assert all(c.data_type != "f" for row in workbook.worksheets[1].iter_rows() for c in row)

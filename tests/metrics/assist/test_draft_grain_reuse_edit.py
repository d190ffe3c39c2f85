"""Drafts at the KGI's grain, reusing the company's KPIs, edited on the review page before accepting."""
import re

import pytest
from django.urls import reverse

from metrics.assist.grain import kgi_grain, rescale_formula
from metrics.models import Kpi
from teams.models import Team

EC_ROOT = "monthly_uu * cvr * aov * 12 * (1 + repeat_rate) * (1 - return_rate)"
WHY = "リピート購入を増やし、広告費に頼らずに伸ばすため。"


def test_grain_comes_from_the_words_then_the_cadence():
    assert kgi_grain(name="月間売上 8,300万円（2027年3月）") == "monthly"
    assert kgi_grain(name="ECサイトの年間売上12億円") == "annual"
    assert kgi_grain(name="ARR 5億円") == "annual"
    assert kgi_grain(name="四半期受注額1.5億円") == "quarterly"
    assert kgi_grain(name="売上 5,000万円", kpi_names=("月次売上",)) == "monthly"
    assert kgi_grain(name="売上", cadence="weekly") == "weekly"
    assert kgi_grain(name="Revenue for 2027") == "monthly"  # a year in a date names no grain


def test_rescaling_touches_only_the_period_factor():
    assert rescale_formula(EC_ROOT, "annual", "monthly") == (
        "monthly_uu * cvr * aov * (1 + repeat_rate) * (1 - return_rate)", 12.0)
    assert rescale_formula(EC_ROOT, "annual", "quarterly")[0] == (
        "monthly_uu * cvr * aov * 3 * (1 + repeat_rate) * (1 - return_rate)")
    assert rescale_formula(EC_ROOT, "annual", "annual") == (EC_ROOT, None)
    # No explicit factor (inputs are summed over the KGI's period) or a sum: left alone.
    assert rescale_formula("leads * win_rate * deal", "quarterly", "monthly")[1] is None
    assert rescale_formula("starting_arr * nrr + new_arr", "annual", "monthly")[1] is None
    assert rescale_formula("a * 12 + b", "annual", "monthly")[1] is None


def _propose(client, world):
    return client.post(reverse("tree-assist", args=[world.company.slug]),
                       {"provider": "builtin"}).content.decode()


def _form(page):
    """The review form's fields as the browser would post them (checked boxes only)."""
    form = page[page.index('class="assist-form"'):]
    form = form[:form.index("</form>")]
    data = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        if 'type="checkbox"' in tag and "checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<select name="([^"]+)">(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        data[name] = chosen.group(1) if chosen else ""
    return data


def _accept(client, world, data):
    return client.post(reverse("tree-assist-accept", args=[world.company.slug]), data)


@pytest.mark.django_db
def test_a_monthly_kgi_gets_a_monthly_formula_without_the_annual_factor(client, world,
                                                                         make_goal):
    make_goal("EC 月間売上 5,000万円", WHY, code="monthly_sales", name_ja="月間売上",
              name_en="Monthly sales")
    client.force_login(world.user("admin"))
    page = _propose(client, world)
    data = _form(page)
    assert "* 12" not in data["root_formula"] and "12 *" not in data["root_formula"]
    assert "repeat_rate" in data["root_formula"]
    client.cookies["kgi_language"] = "ja"
    assert "テンプレートは年次" in _propose(client, world)  # the reason says why it changed
    assert _accept(client, world, data).status_code == 302
    root = Kpi.objects.get(company=world.company, code="monthly_sales")
    assert root.formula == data["root_formula"]
    assert not re.search(r"(?<![\w.])12(?![\w.])", root.formula)


@pytest.mark.django_db
def test_an_existing_kpi_is_reused_by_meaning_not_duplicated(client, world, make_goal):
    make_goal("EC 月間売上", WHY, code="monthly_sales", name_ja="月間売上")
    # The company's own weekly UU and AOV, under other codes and names.
    Kpi.objects.create(company=world.company, code="site_uu", name_ja="サイトUU",
                       name_en="Unique users", unit="count", cadence="weekly")
    Kpi.objects.create(company=world.company, code="order_value", name_ja="客単価",
                       name_en="Order value", unit="JPY", cadence="weekly")
    # Same word, other unit: not the same KPI.
    Kpi.objects.create(company=world.company, code="repeat_count", name_ja="リピート率",
                       name_en="Repeat rate", unit="count")
    client.force_login(world.user("admin"))
    client.cookies["kgi_language"] = "en"
    page = _propose(client, world)
    data = _form(page)
    assert "order_value" in data["root_formula"] and "repeat_rate" in data["root_formula"]
    assert "Reuses your KPI “客単価” (order_value)" in page
    assert "name_ja-aov" not in data and "name_ja-monthly_uu" not in data
    before = set(Kpi.objects.filter(company=world.company).values_list("code", flat=True))
    assert _accept(client, world, data).status_code == 302
    created = set(Kpi.objects.filter(company=world.company).values_list("code", flat=True))
    created -= before
    assert "aov" not in created and "monthly_uu" not in created and "repeat_rate" in created
    uu = "dash_uu" if "dash_uu" in data["root_formula"] else "site_uu"
    assert uu in Kpi.objects.get(company=world.company, code="monthly_sales").formula


@pytest.mark.django_db
def test_an_edited_draft_is_accepted_exactly_as_edited(client, world, make_goal):
    make_goal("EC 月間売上", WHY, code="monthly_sales", name_ja="月間売上")
    other_team = Team.objects.create(company=world.company, name="CRM", slug="crm")
    client.force_login(world.user("admin"))
    data = _form(_propose(client, world))
    before = set(Kpi.objects.filter(company=world.company).values_list("code", flat=True))
    # Drop the return rate and the unlinked margin, rename and re-own the repeat rate,
    # and make the AOV a computed KPI.
    data.pop("keep-return_rate")
    data.pop("keep-operating_margin")
    data["root_formula"] = data["root_formula"].replace(" * (1 - return_rate)", "")
    data["name_ja-repeat_rate"] = "リピート購入率（90日）"
    data["name_en-repeat_rate"] = "Repeat purchase rate (90 days)"
    data["team-repeat_rate"] = str(other_team.pk)
    data["team-aov"] = ""
    data["formula-aov"] = "repeat_rate * 10000"
    response = _accept(client, world, data)
    assert response.status_code == 302
    kpis = {k.code: k for k in Kpi.objects.filter(company=world.company)
            .exclude(code__in=before)}
    assert set(kpis) == {"repeat_rate", "aov"}
    repeat = kpis["repeat_rate"]
    assert (repeat.name_ja, repeat.name_en, repeat.team_id) == (
        "リピート購入率（90日）", "Repeat purchase rate (90 days)", other_team.pk)
    assert kpis["aov"].formula == "repeat_rate * 10000" and kpis["aov"].team_id is None
    root = Kpi.objects.get(company=world.company, code="monthly_sales")
    assert root.formula == data["root_formula"] and "return_rate" not in root.formula


@pytest.mark.django_db
def test_an_edit_that_breaks_the_tree_saves_nothing_and_keeps_the_edits(client, world,
                                                                         make_goal):
    make_goal("EC 月間売上", WHY, code="monthly_sales", name_ja="月間売上")
    client.force_login(world.user("admin"))
    client.cookies["kgi_language"] = "en"
    data = _form(_propose(client, world))
    before = set(Kpi.objects.filter(company=world.company).values_list("code", "formula"))
    data.pop("keep-return_rate")  # …but the KGI's formula still uses it
    data["name_ja-repeat_rate"] = "編集したリピート率"
    response = _accept(client, world, data)
    page = response.content.decode()
    assert response.status_code == 200 and "return_rate" in page and 'role="alert"' in page
    assert 'value="編集したリピート率"' in page  # the reviewer's edit is still there
    assert set(Kpi.objects.filter(company=world.company)
               .values_list("code", "formula")) == before
    data["team-aov"] = "999999"  # another company's or no team
    data["keep-return_rate"] = "1"
    assert "choose a team" in _accept(client, world, data).content.decode()
    assert set(Kpi.objects.filter(company=world.company)
               .values_list("code", "formula")) == before

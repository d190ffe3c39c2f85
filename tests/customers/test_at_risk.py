"""At-risk list: tunable rules per team, each customer with its reasons, a safe CSV export."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from customers import selectors as cs_selectors
from customers import services as cs_services
from tests.customers.factories import CustomerFactory


@pytest.fixture
def customers(world):
    today = timezone.localdate()
    t = world.team
    world.extra["customer"].delete()
    CustomerFactory(team=t, name="=HYPERLINK(\"x\")", contract_date=today - timedelta(days=90),
                    onboarding_status="in_progress", last_login=today - timedelta(days=45),
                    nps=3, notes="価格が高いので解約を検討")
    CustomerFactory(team=t, name="健全株式会社", contract_date=today - timedelta(days=90),
                    last_login=today - timedelta(days=2), nps=9)
    CustomerFactory(team=t, name="新規株式会社", contract_date=today - timedelta(days=5),
                    onboarding_status="not_started", last_login=None)
    CustomerFactory(team=t, name="解約済株式会社", contract_date=today - timedelta(days=200),
                    churn_date=today - timedelta(days=30), nps=0)
    return t


@pytest.mark.django_db
def test_each_at_risk_customer_comes_with_its_reasons(customers):
    rows = cs_selectors.at_risk_rows(customers, cs_services.risk_rules_for(customers),
                                     timezone.localdate())
    assert [r["customer"].name for r in rows] == ['=HYPERLINK("x")']
    assert rows[0]["codes"] == ["onboarding_incomplete", "no_recent_login", "low_nps",
                                "note_words"]
    assert any("解約" in text for text in rows[0]["reasons"])


@pytest.mark.django_db
def test_team_tunes_the_rules_and_the_list_follows(customers, client, world):
    client.force_login(world.user("manager"))
    url = reverse("cs-at-risk", args=[world.company.slug, customers.slug])
    response = client.post(url, {"onboarding_days": "3", "no_login_days": "", "nps_max": "",
                                 "words": "", "min_reasons": "1"})
    assert response.status_code == 302
    rules = cs_services.risk_rules_for(customers)
    assert rules.pk and rules.onboarding_days == 3 and rules.no_login_days is None
    rows = cs_selectors.at_risk_rows(customers, rules, timezone.localdate())
    assert sorted(r["customer"].name for r in rows) == ['=HYPERLINK("x")', "新規株式会社"]


@pytest.mark.django_db
def test_member_cannot_change_the_rules(customers, client, world):
    client.force_login(world.user("member"))
    url = reverse("cs-at-risk", args=[world.company.slug, customers.slug])
    assert client.post(url, {"onboarding_days": "1"}).status_code == 403


@pytest.mark.django_db
def test_csv_export_escapes_formula_cells(customers, client, world):
    client.force_login(world.user("viewer"))
    response = client.get(reverse("cs-at-risk-csv", args=[world.company.slug, customers.slug]))
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


@pytest.mark.django_db
def test_api_lists_at_risk_customers_with_reason_codes(customers, client, world):
    from teams.services import api_token_create

    _t, raw = api_token_create(company=world.company, user=world.user("viewer"), name="t")
    response = client.get(f"/api/v1/{world.company.slug}/cs/at-risk", {"team": customers.slug},
                          headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()[0]["reason_codes"][0] == "onboarding_incomplete"


@pytest.mark.django_db
def test_pages_render_for_a_viewer(customers, client, world):
    client.force_login(world.user("viewer"))
    for name in ("customer-list", "cs-at-risk", "cs-causal", "cs-voice", "cs-metrics"):
        response = client.get(reverse(name, args=[world.company.slug, customers.slug]))
        assert response.status_code == 200, name
    assert "価格" in client.get(reverse("cs-voice", args=[world.company.slug,
                                                       customers.slug])).content.decode()


@pytest.mark.django_db
def test_roster_list_searches_and_filters(customers, client, world, django_assert_max_num_queries):
    client.force_login(world.user("viewer"))
    url = reverse("customer-list", args=[world.company.slug, customers.slug])
    with django_assert_max_num_queries(12):
        html = client.get(url, {"q": "健全"}).content.decode()
    assert "健全株式会社" in html and "新規株式会社" not in html
    html = client.get(url, {"state": "churned"}).content.decode()
    assert "解約済株式会社" in html and "健全株式会社" not in html


@pytest.mark.django_db
def test_hand_edit_keeps_a_revision(customers, client, world):
    customer = customers.customers.get(name="健全株式会社")
    client.force_login(world.user("member"))
    url = reverse("customer-edit", args=[world.company.slug, customers.slug, customer.pk])
    data = {"name": customer.name, "plan": "プロ", "contract_date": customer.contract_date,
            "onboarding_status": "complete", "nps": "10", "mrr": "90000", "external_id": "",
            "notes": "", "nps_comment": ""}
    assert client.post(url, data).status_code == 302
    customer.refresh_from_db()
    assert customer.plan == "プロ" and customer.nps == 10
    assert customer.revisions.get().changes["plan"] == ["スタンダード", "プロ"]
    assert customer.mrr_history.get(month=timezone.localdate().replace(day=1)).mrr == 90000


@pytest.mark.django_db
def test_customer_of_another_company_is_404(customers, client, world):
    other = CustomerFactory(team=world.other_team, name="他社の顧客")
    client.force_login(world.user("admin"))
    url = reverse("customer-edit", args=[world.company.slug, customers.slug, other.pk])
    assert client.get(url).status_code == 404

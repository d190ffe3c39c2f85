"""The seven-focus-KPI rule: one service, a database trigger behind it, safe under concurrency."""
import pytest
from django.db import IntegrityError, transaction

from metrics.models import Focus, Kpi
from metrics.services import FocusRefused, kpi_set_focus
from tests.metrics.factories import KpiFactory


def _activate(kpis):
    for kpi in kpis:
        kpi_set_focus(kpi=kpi, state=Focus.ACTIVE, user=None)


@pytest.mark.django_db
def test_eighth_focus_kpi_is_refused_with_the_seven_named(fan):
    _activate(fan["leaves"][:7])
    with pytest.raises(FocusRefused) as refused:
        kpi_set_focus(kpi=fan["leaves"][7], state=Focus.ACTIVE, user=None)
    assert refused.value.reason == "cap"
    message = refused.value.messages[0]
    for kpi in fan["leaves"][:7]:
        assert kpi.name in message
    assert fan["leaves"][7].name not in message
    assert Kpi.objects.filter(team=fan["leaves"][0].team, focus=Focus.ACTIVE).count() == 7


@pytest.mark.django_db
def test_moving_one_to_monitoring_frees_a_place(fan):
    _activate(fan["leaves"][:7])
    kpi_set_focus(kpi=fan["leaves"][0], state=Focus.MONITORING, user=None)
    kpi_set_focus(kpi=fan["leaves"][7], state=Focus.ACTIVE, user=None)
    assert Kpi.objects.get(pk=fan["leaves"][7].pk).focus == Focus.ACTIVE


@pytest.mark.django_db
def test_unlinked_kpi_cannot_be_active(fan, world):
    lonely = KpiFactory(company=world.company, code="lonely", team=world.team)
    with pytest.raises(FocusRefused) as refused:
        kpi_set_focus(kpi=lonely, state=Focus.ACTIVE, user=None)
    assert refused.value.reason == "unlinked"
    assert "計算式" in refused.value.messages[0]  # "explain it in one line of formula"


@pytest.mark.django_db
def test_vanity_kpi_cannot_be_active(fan):
    vain = fan["leaves"][0]
    vain.is_vanity = True
    vain.save()
    with pytest.raises(FocusRefused) as refused:
        kpi_set_focus(kpi=vain, state=Focus.ACTIVE, user=None)
    assert refused.value.reason == "vanity"


@pytest.mark.django_db
def test_without_an_active_kgi_nothing_is_linked(world):
    kpi = KpiFactory(company=world.company, code="uu", team=world.team)
    with pytest.raises(FocusRefused):
        kpi_set_focus(kpi=kpi, state=Focus.ACTIVE, user=None)


@pytest.mark.django_db
def test_database_trigger_refuses_an_eighth_active_kpi_even_without_the_service(fan):
    team = fan["leaves"][0].team
    Kpi.objects.filter(pk__in=[k.pk for k in fan["leaves"][:7]]).update(focus=Focus.ACTIVE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Kpi.objects.filter(pk=fan["leaves"][7].pk).update(focus=Focus.ACTIVE)
    with pytest.raises(IntegrityError), transaction.atomic():
        KpiFactory(company=team.company, code="extra", team=team, focus=Focus.ACTIVE)
    assert Kpi.objects.filter(team=team, focus=Focus.ACTIVE).count() == 7



@pytest.mark.django_db
def test_kpi_form_moving_a_focus_kpi_into_a_full_team_is_refused_with_the_tree_message(
        fan, world, client):
    _activate(fan["leaves"][:7])
    marketing = world.company.teams.get(slug="marketing")
    mover = fan["leaves"][7]
    Kpi.objects.filter(pk=mover.pk).update(team=marketing)
    kpi_set_focus(kpi=Kpi.objects.get(pk=mover.pk), state=Focus.ACTIVE, user=None)
    client.force_login(world.users["admin"])
    form = {"name_ja": mover.name_ja, "name_en": mover.name_en, "unit": mover.unit,
            "direction": mover.direction, "kind": mover.kind, "phase": mover.phase,
            "cadence": mover.cadence, "aggregation": mover.aggregation,
            "team": world.team.pk, "formula": "", "definition": "", "lever": ""}
    from django.urls import reverse

    response = client.post(reverse("kpi-edit", args=[world.company.slug, mover.code]), form)
    assert response.status_code in (200, 400)
    html = response.content.decode()
    assert all(kpi.name in html for kpi in fan["leaves"][:7])
    assert Kpi.objects.get(pk=mover.pk).team == marketing

"""A KPI formula has no 256-character ceiling: stored whole, with the parser's bounded limit."""
import pytest

from engine.formula import MAX_LENGTH
from metrics.models import Kpi
from metrics.services import kpi_create, kpi_update
from tests.metrics.factories import KpiFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db


def test_a_formula_over_18_teams_is_stored_and_one_over_the_limit_is_refused_clearly():
    world = build_world()
    codes = []
    for i in range(18):
        for part in ("leads", "cvr", "aov"):
            KpiFactory(company=world.company, code=f"team{i:02d}_{part}")
        codes.append(f"team{i:02d}_leads * team{i:02d}_cvr * team{i:02d}_aov")
    text = " + ".join(codes)
    assert len(text) > 256
    kpi = kpi_create(company=world.company, code="group_revenue", name_ja="売上", name_en="Revenue",
                     formula=text)
    assert Kpi.objects.get(pk=kpi.pk).formula == text
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        kpi_update(kpi=kpi, formula=text + " " * (MAX_LENGTH - len(text)) + "+ 1")
    assert "4000" in str(refused.value) or "4,000" in str(refused.value)

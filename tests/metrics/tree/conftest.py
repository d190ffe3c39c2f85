import pytest

from metrics.models import KgiStatus
from tests.metrics.factories import KgiFactory, KpiFactory


@pytest.fixture
def fan(world):
    """An active KGI on ``root = k0 + k1 + … + k9``, all ten leaves owned by the world's team."""
    company = world.company
    leaves = [KpiFactory(company=company, code=f"k{i}", team=world.team) for i in range(10)]
    root = KpiFactory(company=company, code="root", unit="JPY",
                      formula=" + ".join(k.code for k in leaves))
    kgi = KgiFactory(company=company, kpi=root, status=KgiStatus.ACTIVE)
    return {"root": root, "leaves": leaves, "kgi": kgi}

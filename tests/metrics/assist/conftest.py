"""An active KGI on a root KPI with nothing under it: the tree the assistant starts from."""
import pytest

from metrics.models import KgiStatus
from tests.metrics.factories import KgiFactory, KpiFactory


@pytest.fixture
def make_goal(world):
    def _make(name, why, unit="JPY", code="revenue", name_ja="売上", name_en="Revenue"):
        root = KpiFactory(company=world.company, code=code, name_ja=name_ja, name_en=name_en,
                          unit=unit)
        return KgiFactory(company=world.company, kpi=root, name=name, why=why, unit=unit,
                          status=KgiStatus.ACTIVE)

    return _make


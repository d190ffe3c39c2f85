"""KGI tree objects for the permission matrix: a KPI owned by the world's team, a draft KGI."""
from metrics.models import Kgi, Kpi


def extend(world):
    kpi = Kpi.objects.create(company=world.company, code="world_leads", name_ja="リード",
                             name_en="Leads", team=world.team)
    world.extra["tree_kpi"] = kpi
    world.extra["tree_kgi"] = Kgi.objects.create(company=world.company, name="Draft goal", kpi=kpi)

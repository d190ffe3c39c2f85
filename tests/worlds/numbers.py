"""Numbers objects the matrix needs: a KPI of the world's team, a campaign, an import batch."""
from datetime import date

from metrics.models import Campaign, ImportBatch, ImportStatus, Kpi


def extend(world):
    kpi = Kpi.objects.create(company=world.company, code="signups", name_ja="会員登録数",
                             name_en="Signups", unit="count", team=world.team)
    world.extra["numbers_kpi"] = kpi
    campaign = Campaign.objects.create(company=world.company, name="Sale",
                                       start=date(2026, 3, 2), end=date(2026, 3, 8))
    campaign.kpis.set([kpi])
    world.extra["campaign"] = campaign
    world.extra["import_batch"] = ImportBatch.objects.create(
        company=world.company, filename="w.csv", data=b"period,uu\r\n2026-03-02,1\r\n",
        status=ImportStatus.DONE)

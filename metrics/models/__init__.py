"""The KGI and its KPI tree, and the numbers that reach it.

One module per topic, every model re-exported here (``from metrics.models import Kpi``):
``kpis`` (Kpi, Kgi, Target and their choices), ``numbers`` (Measurement and its revisions,
Campaign, Anomaly), ``import_batches`` (ImportBatch). Percent KPIs store percentage points
(2.0 means 2.0 %); formulas see fractions (0.02) — see ``Kpi.to_formula_value``.
"""
from metrics.models.import_batches import ImportBatch, ImportStatus
from metrics.models.kpis import (
    Aggregation,
    Cadence,
    Direction,
    Focus,
    Kgi,
    KgiStatus,
    Kind,
    Kpi,
    PeriodKind,
    Phase,
    Target,
    Unit,
    kpi_code_validator,
)
from metrics.models.numbers import (
    Anomaly,
    AnomalyLabel,
    Campaign,
    Measurement,
    MeasurementRevision,
    Source,
)

__all__ = [
    "Aggregation", "Anomaly", "AnomalyLabel", "Cadence", "Campaign", "Direction", "Focus",
    "ImportBatch", "ImportStatus", "Kgi", "KgiStatus", "Kind", "Kpi", "Measurement",
    "MeasurementRevision", "PeriodKind", "Phase", "Source", "Target", "Unit",
    "kpi_code_validator",
]

"""Turn the tree's answers into targets: apply a goal seek, propose and apply a cascade.

What is applied is what was reviewed: the preview carries a fingerprint of its values and
applying recomputes them and refuses when the plan moved in between. All targets of one
cascade are written in one transaction (metrics.targets.targets_set per KPI).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.calendar import month_start
from metrics.models import Kgi, KgiStatus
from metrics.targets import TargetEntry, TargetRefused, targets_set
from metrics.tree.plan import RULE_EQUAL, RULE_SENSITIVITY, CascadeRefused, fingerprint
from metrics.tree.presenter import build_tree


@dataclass
class Change:
    kpi: object
    old: Decimal | None  # this month's target in the KPI's unit
    new: Decimal


def _kpi_units(kpi, value: float) -> Decimal:
    return Decimal(str(round(kpi.from_formula_value(value), 4)))


def seek_preview(company, code: str):
    """(Change, fingerprint, KGI computed now, KGI computed after) for a goal seek, or None."""
    tree = build_tree(company, seek_code=code)
    seek = (tree.consistency or {}).get("seek")
    if not seek or seek.get("value") is None:
        return None
    kpi = seek["kpi"]
    new = Decimal(str(seek["value"]))
    change = Change(kpi, kpi.month_target, new)
    return change, fingerprint({code: float(new)}), tree.consistency.get("computed")


@transaction.atomic
def goal_seek_apply(*, company, code: str, expected: str, user=None):
    """Store the goal-seek value of ``code`` as this month's target, as it was previewed."""
    _lock_kgi(company)
    preview = seek_preview(company, code)
    if preview is None:
        raise TargetRefused(_("There is nothing to apply: goal seek found no value."),
                            "unsolvable")
    change, digest, _computed = preview
    if digest != expected:
        raise TargetRefused(_("The plan changed since the preview; look at it again."),
                            "stale")
    kgi_name = Kgi.objects.get(company=company, status=KgiStatus.ACTIVE).name
    targets_set(kpi=change.kpi, entries=[TargetEntry(month_start(timezone.localdate()),
                                                     change.new)], user=user,
                reason=_("Goal seek from the KGI target (%(kgi)s)") % {"kgi": kgi_name})
    return change


def cascade_preview(company, node: str, fixed: set, rule: str = RULE_EQUAL):
    """(tree, [Change], fingerprint): new targets for the leaves under ``node`` and between."""
    tree = build_tree(company)
    if tree.plan is None or node not in tree.kpis:
        raise CascadeRefused(_("Choose a KPI of the tree."), "unknown")
    proposal = tree.plan.cascade(node, fixed, rule)
    changes = [Change(tree.kpis[c], tree.kpis[c].month_target, _kpi_units(tree.kpis[c], v))
               for c, v in proposal.items()]
    changes.sort(key=lambda ch: ch.kpi.code)
    return tree, changes, fingerprint({ch.kpi.code: float(ch.new) for ch in changes})


@transaction.atomic
def cascade_apply(*, company, node: str, fixed: set, expected: str, user=None,
                  rule: str = RULE_EQUAL) -> list:
    """Apply a reviewed cascade: every proposed target of this month, all or nothing."""
    _lock_kgi(company)
    tree, changes, digest = cascade_preview(company, node, fixed, rule)
    if digest != expected:
        raise CascadeRefused(_("The plan changed since the preview; look at it again."), "stale")
    month = month_start(timezone.localdate())
    if rule == RULE_SENSITIVITY:
        reason = _("Cascade from %(kpi)s, by sensitivity") % {"kpi": tree.kpis[node].name}
    else:
        reason = _("Cascade from %(kpi)s, equal relative lift") % {"kpi": tree.kpis[node].name}
    for change in changes:
        targets_set(kpi=change.kpi, entries=[TargetEntry(month, change.new)], user=user,
                    reason=reason)
    return changes


def _lock_kgi(company):
    # Two planners applying at once queue here, so each recomputes on the other's result.
    list(Kgi.objects.select_for_update().filter(company=company, status=KgiStatus.ACTIVE))

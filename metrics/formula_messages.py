"""FormulaError codes from the pure engine, said to people in their language."""
from django.utils.translation import gettext as _

from engine.formula import FormulaError


def _templates():
    return {
        "empty": _("The formula is empty."),
        "too_long": _("The formula is %(length)s characters long; the limit is %(max)s."),
        "syntax": _("The formula cannot be read near character %(col)s."),
        "forbidden": _("%(construct)s is not allowed (character %(col)s). Use KPI codes, "
                       "numbers, + − × ÷ and parentheses."),
        "too_many_nodes": _("The formula has %(count)s parts; the limit is %(max)s."),
        "invalid_name": _("“%(name)s” (character %(col)s) is not spelled like a KPI code."),
        "unknown_code": _("There is no KPI with the code “%(name)s” (character %(col)s)."),
        "number_out_of_range": _("The number %(number)s (character %(col)s) is too large."),
        "missing_value": _("There is no value for “%(name)s”."),
        "cycle": _("The formulas form a loop: %(path)s."),
        "self_reference": _("“%(name)s” cannot be computed from itself."),
        "not_a_leaf": _("“%(name)s” is not a measured KPI under “%(root)s”."),
        "unsolvable": _("No value of “%(name)s” reaches the target."),
        "invalid_direction": _("The direction of “%(name)s” must be higher or lower."),
    }


def formula_error_message(error: FormulaError) -> str:
    """A translated sentence for an engine error, pointing at the problem."""
    template = _templates().get(error.code)
    if template is None:
        return _("The formula is not valid.")
    try:
        return template % error.params
    except (KeyError, TypeError, ValueError):
        return _("The formula is not valid.")

"""ID mapping: a source's names ↔ KPI codes, with suggestions by name for the unmapped ones."""
from __future__ import annotations

import difflib

from django.db import transaction
from django.utils.translation import gettext as _

from metrics.models import Kpi
from metrics.sources.models import DataSource
from spreadsheets.headers import normalize_header

SPECIAL = ("period", "value", "kpi")  # the long layout's columns
CUTOFF = 0.5


def suggestions(company, names) -> dict[str, str | None]:
    """{name: the KPI code whose code or name is closest to it (difflib), or None}."""
    choices: dict[str, str] = {}
    for kpi in Kpi.objects.filter(company=company).order_by("code"):
        if kpi.is_computed:
            continue
        for text in (kpi.code, kpi.name_ja, kpi.name_en):
            key = normalize_header(text)
            if key:
                choices.setdefault(key, kpi.code)
    out = {}
    for name in names:
        close = difflib.get_close_matches(normalize_header(name), list(choices), n=1,
                                          cutoff=CUTOFF)
        out[name] = choices[close[0]] if close else None
    return out


class MappingInvalid(Exception):
    pass


def source_map(*, source: DataSource, pairs: dict[str, str]) -> DataSource:
    """Add ``{source name: KPI code or period/value/kpi}`` to the source's mapping; an empty
    target leaves that name alone. Unknown codes are refused with their names."""
    codes = set(Kpi.objects.filter(company=source.company_id).values_list("code", flat=True))
    chosen = {name.strip(): target.strip() for name, target in pairs.items()
              if name.strip() and target.strip()}
    wrong = [target for target in chosen.values() if target not in codes and target not in SPECIAL]
    if wrong:
        raise MappingInvalid(_("Not a KPI of this company: %(codes)s")
                             % {"codes": ", ".join(sorted(set(wrong)))})
    with transaction.atomic():
        source = DataSource.objects.select_for_update().get(pk=source.pk)
        source.mapping = {**source.mapping, **chosen}
        source.save(update_fields=["mapping"])
    return source

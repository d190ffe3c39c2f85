"""The user's memberships with their companies, data tokens and users, read by one raw
statement (PostgreSQL) and built into model instances as select_related builds them.

Every company page starts with this read (teams.tenancy.user_memberships). Through the ORM
its compile — four models joined, plus what apps above register — cost about as much
process time as the page's own card query; the statement here is built once per process.
Apps above this one add columns with ``MEMBERSHIP_SQL`` ({attribute: SQL over the membership
row ``m``}, registered in their AppConfig.ready), read into that attribute of each
membership. Elsewhere (SQLite) the ORM reads them without those columns.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connection

from core.prepared import convert_values, field_converters, prepared_cursor
from teams.models import Company, CompanyDataVersion, Membership

MEMBERSHIP_SQL: dict[str, str] = {}
_built: dict[tuple, tuple] = {}


def _parts():
    return [(Membership, "m"), (Company, "c"), (CompanyDataVersion, "dv"),
            (get_user_model(), "u")]


def _statement():
    """(SQL, [(model, fields, converters)], extra names), built once per set of extras."""
    key = tuple(MEMBERSHIP_SQL.items())
    built = _built.get(key)
    if built is None:
        q = connection.ops.quote_name
        columns, layout = [], []
        for model, alias in _parts():
            fields = list(model._meta.concrete_fields)
            columns += [f"{alias}.{q(f.column)}" for f in fields]
            layout.append((model, [f.attname for f in fields],
                           field_converters(fields, alias, connection)))
        columns += [f"({sql})" for _name, sql in key]
        m, c, dv, u = (model._meta for model, _a in _parts())
        sql = (f"SELECT {', '.join(columns)} FROM {q(m.db_table)} m "
               f"JOIN {q(c.db_table)} c ON c.{q(c.pk.column)} = m.{q('company_id')} "
               f"LEFT JOIN {q(dv.db_table)} dv ON dv.{q(dv.pk.column)} = c.{q(c.pk.column)} "
               f"JOIN {q(u.db_table)} u ON u.{q(u.pk.column)} = m.{q('user_id')} "
               f"WHERE m.{q('user_id')} = %s ORDER BY c.{q('name')}, m.{q('id')}")
        built = _built[key] = (sql, layout, [name for name, _sql in key])
    return built


def membership_rows(user) -> list[Membership]:
    """The user's memberships by company name, each with ``company`` (and its
    ``data_version``, or none) and ``user`` loaded, and the MEMBERSHIP_SQL attributes."""
    if connection.vendor != "postgresql":
        return list(Membership.objects.select_related("company", "company__data_version", "user")
                    .filter(user=user).order_by("company__name", "id"))
    sql, layout, extras = _statement()
    with prepared_cursor() as cursor:
        cursor.execute(sql, [user.pk])
        rows = cursor.fetchall()
    out = []
    for row in rows:
        start, built = 0, []
        for model, names, converters in layout:
            values = convert_values(list(row[start:start + len(names)]), converters, connection)
            start += len(names)
            built.append(None if values[0] is None else model.from_db(connection.alias, names,
                                                                      values))
        membership, company, version, member = built
        # What select_related("company", "company__data_version", "user") leaves cached.
        Membership.company.field.set_cached_value(membership, company)
        Company.data_version.related.set_cached_value(company, version)
        Membership.user.field.set_cached_value(membership, member)
        for name, value in zip(extras, row[start:], strict=True):
            setattr(membership, name, value)
        out.append(membership)
    return out

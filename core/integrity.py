"""Database constraints a user can hit, as the service's friendly message (never a 500).

Each app lists the messages of its constraints in ``<app>/constraint_messages.py``::

    MESSAGES = {"team_name_unique_in_company": ("name", _("A team with this name already exists."))}

(field name or ``None`` for a message about the whole form). ``message_for(exc)`` finds the
constraint an ``IntegrityError`` names — PostgreSQL's constraint name, a trigger's
``name:`` prefix, or SQLite's "CHECK constraint failed: name" / "UNIQUE constraint failed:
table.col, …" (matched to the model constraint on those columns) — and returns its message.

Services wrap their writes in ``refuse_constraints()`` so a race past their checks reads
as the same ``ValidationError`` the checks raise; ``core.middleware.ConstraintMiddleware``
is the backstop for a write that was not wrapped (a 409 with the message, not a 500).
"""
from __future__ import annotations

import re
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

_registry: dict | None = None


def _messages() -> dict:
    global _registry
    if _registry is None:
        from importlib import import_module

        from django.apps import apps

        found = {}
        for config in apps.get_app_configs():
            try:
                module = import_module(f"{config.name}.constraint_messages")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.constraint_messages":
                    raise
                continue
            found.update(module.MESSAGES)
        _registry = found
    return _registry


def registered_names() -> set:
    return set(_messages())


_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)")
_SQLITE_CHECK = re.compile(r"CHECK constraint failed: (\w+)")
_TRIGGER = re.compile(r"^(\w+):")


def _unique_by_columns(columns: str) -> str | None:
    """SQLite names the table and columns of a failed unique constraint: find its name."""
    from django.apps import apps

    pairs = [c.strip().split(".", 1) for c in columns.split(",")]
    if not pairs or any(len(p) != 2 for p in pairs):
        return None
    table, cols = pairs[0][0], {p[1] for p in pairs}
    for model in apps.get_models():
        if model._meta.db_table != table:
            continue
        for constraint in model._meta.constraints:
            fields = getattr(constraint, "fields", None)
            if fields and {model._meta.get_field(f).column for f in fields} == cols:
                return constraint.name
        # A field's own unique=True (a one-to-one too): created with its table, so
        # PostgreSQL named it <table>_<column>_key, the name the messages are registered by.
        for field in model._meta.concrete_fields:
            if field.unique and not field.primary_key and {field.column} == cols:
                return f"{table}_{field.column}_key"
    return None


def constraint_name(exc: BaseException) -> str | None:
    """The name of the constraint (or trigger) an IntegrityError reports, if it says."""
    cause = exc.__cause__ or exc
    diag = getattr(cause, "diag", None)
    if diag is not None:
        if getattr(diag, "constraint_name", None):
            return diag.constraint_name
        match = _TRIGGER.match(getattr(diag, "message_primary", "") or "")
        if match:
            return match.group(1)
    text = str(cause)
    for pattern in (_SQLITE_CHECK, _TRIGGER):
        match = pattern.search(text) if pattern is _SQLITE_CHECK else pattern.match(text)
        if match:
            return match.group(1)
    match = _SQLITE_UNIQUE.search(text)
    if match:
        return _unique_by_columns(match.group(1))
    return None


def message_for(exc: BaseException) -> tuple[str | None, str] | None:
    """(field, message) registered for the constraint ``exc`` reports, else None."""
    name = constraint_name(exc)
    if name is None:
        return None
    return _messages().get(name)


def as_validation_error(exc: IntegrityError) -> ValidationError | None:
    found = message_for(exc)
    if found is None:
        return None
    field, message = found
    return ValidationError({field: [message]} if field else str(message))


@contextmanager
def refuse_constraints():
    """Run a write in a savepoint; a known constraint's failure becomes its ValidationError."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        error = as_validation_error(exc)
        if error is None:
            raise
        raise error from exc

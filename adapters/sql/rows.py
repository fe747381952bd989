"""Rows to entities and entities to rows, by field name: the one way this adapter maps a row.

A table's column keys are its entity's field names (records.py), and its column types give
back the domain's own values, so neither direction names a single field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import Row, Select, Table

E = TypeVar("E")
_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}
_WRITTEN: dict[tuple[type[Any], Table], tuple[str, ...]] = {}


def field_names(entity_type: type[Any]) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(entity_type)
    if names is None:
        names = _FIELD_NAMES[entity_type] = tuple(field.name for field in fields(entity_type))
    return names


def entity_reader(
    entity_type: type[E], statement: Select[Any], table: Table | None = None
) -> Callable[[Row[Any]], E]:
    """Build `entity_type` from the rows of `statement`, which selects a column keyed by each
    of its fields (and maybe more; in a join, those of `table`). Where each field sits in a
    row is worked out here, once, from the column keys; each row is then read by position."""
    keys = [
        column.key if table is None or getattr(column, "table", None) is table else None
        for column in statement.selected_columns
    ]
    names = field_names(entity_type)
    missing = set(names) - set(keys)
    if missing:
        raise ValueError(f"{entity_type.__name__} needs columns {sorted(missing)}")
    pick = itemgetter(*(keys.index(name) for name in names))

    def read(row: Row[Any]) -> E:
        return entity_type(**dict(zip(names, pick(row), strict=True)))

    return read


def _written_keys(entity_type: type[Any], table: Table) -> tuple[str, ...]:
    names = _WRITTEN.get((entity_type, table))
    if names is None:
        generated = table.autoincrement_column
        columns = {column.key for column in table.columns if column is not generated}
        names = tuple(name for name in field_names(entity_type) if name in columns)
        _WRITTEN[(entity_type, table)] = names
    return names


def to_row(entity: Any, table: Table) -> dict[str, Any]:
    """The values of every column the entity has a field for, except an id the store gives
    (an auto-incremented key; a session's id is the domain's own and is written)."""
    return {name: getattr(entity, name) for name in _written_keys(type(entity), table)}

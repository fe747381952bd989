"""Column types that store domain values exactly in SQLite and PostgreSQL, and read them back as
the domain's own types, so a row maps to an entity by field name alone."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, Numeric, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from domain.values import PRICE_PLACES, Price, ValueObject

# SQLite only auto-increments an INTEGER PRIMARY KEY (the rowid); PostgreSQL gets BIGINT.
BigIntId = BigInteger().with_variant(Integer(), "sqlite")
_CENTS_PER_UNIT = 10**PRICE_PLACES


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out: PostgreSQL stores timestamptz; SQLite, which has no time
    zones, stores UTC wall time, and reads it back as aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError("naive datetimes are ambiguous; pass a timezone-aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.utcoffset() is None else value.astimezone(UTC)


class TextValue(TypeDecorator[Any]):
    """A text value object (`Title`, `Email`, ...) stored as its text. Values read back are
    rebuilt with `stored()`: they were valid when written. Plain strings are accepted too, for
    comparisons in queries."""

    impl = String
    cache_ok = True

    def __init__(self, value_type: type[ValueObject[str]], length: int | None = None) -> None:
        super().__init__(length)
        self.value_type = value_type

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return value.value if isinstance(value, ValueObject) else value

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else self.value_type.stored(value)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        """One call per value read rather than TypeDecorator's three: every row of every page
        has several of these (text needs no driver-level processing on aiosqlite or asyncpg)."""
        if self.impl_instance.result_processor(dialect, coltype) is not None:
            return super().result_processor(dialect, coltype)
        return _rebuilding(self.value_type)


def _rebuilding(value_type: type[ValueObject[Any]]) -> Any:
    new, assign = object.__new__, object.__setattr__

    def rebuild(value: Any) -> Any:
        if value is None:
            return None
        instance = new(value_type)
        assign(instance, "value", value)
        return instance

    return rebuild


class PriceValue(TypeDecorator[Price]):
    """NUMERIC(12,2) in PostgreSQL; whole cents in an INTEGER in SQLite, whose NUMERIC is a
    float and would round. Filters compare through the same conversion."""

    impl = Numeric(12, PRICE_PLACES)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(12, PRICE_PLACES, asdecimal=True))

    def process_bind_param(self, value: Price | Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = value.value if isinstance(value, Price) else Price(value).value
        return int(amount * _CENTS_PER_UNIT) if dialect.name == "sqlite" else amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Price | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Price.stored(Decimal(int(value)).scaleb(-PRICE_PLACES))
        return Price.stored(value if type(value) is Decimal else Decimal(value))


class StrEnumValue(TypeDecorator[Any]):
    """A string enumeration (`EndReason`, `MailState`, ...) stored as its value, read back as
    its member. A member longer than the column stops the import of the tables, not a write."""

    impl = String
    cache_ok = True

    def __init__(self, enum_type: type[StrEnum], length: int) -> None:
        longest = max(enum_type, key=len)
        if len(longest) > length:
            raise ValueError(f"{enum_type.__name__}.{longest.name} is longer than {length}")
        super().__init__(length)
        self.enum_type = enum_type

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else self.enum_type(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else self.enum_type(value)

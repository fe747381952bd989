"""The SQL adapter: SQLModel records over SQLAlchemy's async engine (SQLite or PostgreSQL)."""

from adapters.sql.engine import (
    DatabaseOptions,
    create_engine,
    create_session_factory,
    normalise_url,
)
from adapters.sql.gate import ConnectionGate, gate_of
from adapters.sql.listing import SqlItemListing
from adapters.sql.records import metadata
from adapters.sql.unit_of_work import SqlUnitOfWork
from adapters.sql.user_lookup import SqlUserLookup

__all__ = [
    "ConnectionGate",
    "DatabaseOptions",
    "SqlItemListing",
    "SqlUnitOfWork",
    "SqlUserLookup",
    "create_engine",
    "create_session_factory",
    "gate_of",
    "metadata",
    "normalise_url",
]

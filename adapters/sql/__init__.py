"""The SQL adapter: SQLModel records over SQLAlchemy's async engine (SQLite or PostgreSQL)."""

from adapters.sql.engine import (
    DatabaseOptions,
    create_engine,
    create_session_factory,
    normalise_url,
)
from adapters.sql.listing import SqlItemListing
from adapters.sql.records import metadata
from adapters.sql.unit_of_work import SqlUnitOfWork
from adapters.sql.user_lookup import SqlUserLookup

__all__ = [
    "DatabaseOptions",
    "SqlItemListing",
    "SqlUnitOfWork",
    "SqlUserLookup",
    "create_engine",
    "create_session_factory",
    "metadata",
    "normalise_url",
]

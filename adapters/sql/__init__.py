"""The SQL adapter: SQLModel tables and SQLAlchemy Core over async engines (SQLite, PostgreSQL)."""

from adapters.sql.database import SqlDatabase
from adapters.sql.records import metadata

__all__ = ["SqlDatabase", "metadata"]

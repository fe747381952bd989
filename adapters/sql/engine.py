"""Async engines for SQLite (aiosqlite) and PostgreSQL (asyncpg), with bounds on every wait."""

from __future__ import annotations

from typing import Any

import asyncpg
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool, StaticPool

from adapters.options import DatabaseOptions

_ASYNC_DRIVERS = {
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
}


# How long closing a PostgreSQL connection may wait for the server's goodbye. SQLAlchemy closes
# an invalidated connection gracefully, shielded from cancellation, for up to 2 s: a silent
# (frozen, partitioned) server would make every abandoned connection cost a request 2 s more.
GOODBYE_SECONDS = 0.25


class _PromptlyClosedConnection(asyncpg.Connection):  # type: ignore[misc]
    __slots__ = ()

    async def close(self, *, timeout: float | None = None) -> None:  # noqa: ASYNC109 - asyncpg's
        await super().close(timeout=min(timeout or GOODBYE_SECONDS, GOODBYE_SECONDS))


def normalise_url(url: str) -> URL:
    """Accept the usual spellings (`postgres://`, `postgresql://`, `sqlite://`) and pick the
    async driver itemhub supports for each; refuse any other database."""
    parsed = make_url(url)
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    if driver is None:
        raise ValueError(
            f"unsupported database URL scheme {parsed.drivername!r}: "
            "use sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db"
        )
    return parsed.set(drivername=driver)


def _is_sqlite_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or "mode=memory" in str(url)


def create_engine(url: str, options: DatabaseOptions | None = None) -> AsyncEngine:
    options = options or DatabaseOptions()
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, options)
    pool: dict[str, Any] = (
        {
            "pool_size": options.pool_size,
            "max_overflow": options.max_overflow,
            "pool_timeout": options.pool_timeout_seconds,
        }
        if options.pooled
        else {"poolclass": NullPool}
    )
    return create_async_engine(
        parsed,
        echo=options.echo,
        **pool,
        connect_args={
            "timeout": options.connect_timeout_seconds,
            "command_timeout": options.statement_timeout_seconds,
            "server_settings": {"application_name": "itemhub"},
            "connection_class": _PromptlyClosedConnection,
        },
    )


def _sqlite_engine(url: URL, options: DatabaseOptions) -> AsyncEngine:
    extra: dict[str, Any] = {}
    if _is_sqlite_memory(url):
        # One shared connection, or every session would see its own empty database.
        extra["poolclass"] = StaticPool
    elif not options.pooled:
        extra["poolclass"] = NullPool
    engine = create_async_engine(
        url,
        echo=options.echo,
        connect_args={"timeout": options.sqlite_busy_timeout_seconds, "check_same_thread": False},
        **extra,
    )
    busy_ms = int(options.sqlite_busy_timeout_seconds * 1000)

    @event.listens_for(engine.sync_engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")  # off by default in SQLite: no cascade without it
        cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, far fewer fsyncs
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")  # wait for the write lock, then fail
        cursor.close()
        dbapi_connection.isolation_level = None  # the driver begins nothing; _begin does

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Any) -> None:
        """Transactions take the write lock when they begin (BEGIN IMMEDIATE): writers queue
        for it (busy timeout) instead of reading a snapshot they may not write on later, and a
        rule read at the start of a unit of work still holds at its commit. Autocommit
        connections (the read ports) begin nothing."""
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine

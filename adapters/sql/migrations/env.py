"""Alembic environment: runs the migrations on an async engine (SQLite or PostgreSQL).

The database comes from, in order: a connection handed over in `config.attributes`
(pytest-alembic, or code that already holds one), `config.attributes["database_url"]`
(`itemhub migrate`, from the settings), or `alembic -x database_url=...`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping
from typing import Any

from alembic import context
from alembic.runtime.migration import MigrationContext, MigrationInfo
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.options import DatabaseOptions
from adapters.sql.engine import create_engine
from adapters.sql.records import metadata

config = context.config


def _configure_and_run(connection: Connection) -> None:
    """`config.attributes["applied"]`, when given, is a list that receives the id of each
    revision applied, and `["current"]` is set to the revision the database is at after."""
    applied = config.attributes.get("applied")

    def note(
        ctx: MigrationContext,
        step: MigrationInfo,
        heads: Collection[Any],
        run_args: Mapping[str, Any],
    ) -> None:
        if applied is not None and step.is_upgrade and step.up_revision_id is not None:
            applied.append(step.up_revision_id)

    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
        on_version_apply=note,
    )
    with context.begin_transaction():
        context.run_migrations()
    config.attributes["current"] = context.get_context().get_current_revision()


async def _run_async(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.run_sync(_configure_and_run)
        await connection.commit()


async def _run_with_url(url: str) -> None:
    engine = create_engine(url, DatabaseOptions(pooled=False))
    try:
        await _run_async(engine)
    finally:
        await engine.dispose()


def _database_url() -> str:
    url = config.attributes.get("database_url") or context.get_x_argument(as_dictionary=True).get(
        "database_url"
    )
    if not url:
        raise SystemExit(
            "No database URL: run `itemhub migrate`, or `alembic -x database_url=URL ...`"
        )
    return str(url)


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if isinstance(connectable, Connection):
        _configure_and_run(connectable)
    elif isinstance(connectable, AsyncEngine):
        asyncio.run(_run_async(connectable))
    else:
        asyncio.run(_run_with_url(_database_url()))


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; migrate a database instead.")
run_migrations_online()

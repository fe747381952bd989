"""Throw-away databases for tests: a PostgreSQL database per session, SQLite files per test.

PostgreSQL tests run whenever a server answers. With CI=true a missing server fails the run;
elsewhere those tests are skipped with a one-line reason.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import uuid
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

POSTGRES_ADMIN_DSN = os.environ.get(
    "ITEMHUB_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
START_HINT = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def postgres_unavailable_reason() -> str | None:
    try:
        asyncio.run(_admin("SELECT 1"))
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        return (
            f"PostgreSQL at {POSTGRES_ADMIN_DSN} is not answering ({error}); start it: {START_HINT}"
        )
    return None


def require_postgres() -> None:
    """Skip, or under CI=true fail, when no PostgreSQL server answers."""
    reason = postgres_unavailable_reason()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def create_postgres_database() -> str:
    """Create an empty database and return its asyncpg URL."""
    name = f"itemhub_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{name}"


def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def migrated_database(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    """None for the in-memory adapter; otherwise a migrated database of this test's own."""
    if kind == "sqlite":
        path = tmp_path / "itemhub.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    if kind == "postgres":
        url: str = request.getfixturevalue("postgres_database")
        return url
    return None


async def empty_tables(engine: AsyncEngine) -> None:
    """Start from empty tables: the PostgreSQL database is shared by a session's tests, and a
    SQLite file by every example of a property test."""
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(
                text(
                    "TRUNCATE users, items, sessions, refresh_tokens, account_tokens, outbox "
                    "RESTART IDENTITY CASCADE"
                )
            )
        else:
            tables = ("refresh_tokens", "sessions", "account_tokens", "outbox", "items", "users")
            for table in tables:
                await connection.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - fixed names


REDIS_URL = os.environ.get("ITEMHUB_TEST_REDIS_URL", "redis://127.0.0.1:6379")


def require_redis() -> None:
    """Skip, or under CI=true fail, when no Redis server answers."""
    host_port = REDIS_URL.split("://", 1)[1].split("/", 1)[0]
    host, _, port = host_port.partition(":")
    try:
        with socket.create_connection((host, int(port or 6379)), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            answered = sock.recv(16).startswith(b"+PONG")
    except OSError as error:
        answered, detail = False, str(error)
    else:
        detail = "it did not answer PING"
    if answered:
        return
    reason = f"Redis at {REDIS_URL} is not answering ({detail}); start it with redis-server"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)

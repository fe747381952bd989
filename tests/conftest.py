"""Fixtures shared by every layer of tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.security import BcryptPasswordHasher
from adapters.sql.migrate import upgrade
from tests.databases import (
    create_postgres_database,
    drop_postgres_database,
    migrated_database,
    require_postgres,
)

# bcrypt's minimum cost: real hashes in about a millisecond.
TEST_BCRYPT_ROUNDS = 4


@pytest.fixture(scope="session")
def hasher() -> Iterator[BcryptPasswordHasher]:
    hasher = BcryptPasswordHasher(rounds=TEST_BCRYPT_ROUNDS)
    yield hasher
    hasher.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once; each test gets a copy, which is far faster than migrating again."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    require_postgres()
    url = create_postgres_database()
    try:
        upgrade(url)
        yield url
    finally:
        drop_postgres_database(url)


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, unmigrated database of this test's own: a SQLite file or a throw-away
    PostgreSQL database, dropped after."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
        return
    require_postgres()
    url = create_postgres_database()
    try:
        yield url
    finally:
        drop_postgres_database(url)


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty PostgreSQL database for tests that only make sense on PostgreSQL."""
    url = migrated_database("postgres", request, tmp_path)
    assert url is not None
    return url

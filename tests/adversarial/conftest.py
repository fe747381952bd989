"""Apps under attack: on the in-memory adapter where a rule lives in the use cases alone, and
on every database where what the database does matters."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.security import BcryptPasswordHasher
from tests.api.conftest import Api, build_api
from tests.databases import (
    create_postgres_database,
    drop_postgres_database,
    migrated_database,
    require_postgres,
)
from tests.e2e.processes import itemhub, running_server

RACERS = 50


@pytest.fixture
async def api(hasher: BcryptPasswordHasher) -> AsyncIterator[Api]:
    """Rules that live in the use cases are the same for every adapter: memory suffices."""
    async for each in build_api(None, hasher):
        yield each


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def any_backend(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    return migrated_database(request.param, request, tmp_path)


@pytest.fixture
async def any_api(any_backend: str | None, hasher: BcryptPasswordHasher) -> AsyncIterator[Api]:
    """The same attack on every adapter: what one database takes, another may choke on."""
    async for each in build_api(any_backend, hasher):
        yield each


@pytest.fixture(params=["sqlite", "postgres"])
def sql_backend(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    return migrated_database(request.param, request, tmp_path)


@pytest.fixture
async def sql_api(sql_backend: str | None, hasher: BcryptPasswordHasher) -> AsyncIterator[Api]:
    async for each in build_api(sql_backend, hasher):
        yield each


@dataclass(frozen=True)
class ServedApp:
    base_url: str
    database_url: str


@pytest.fixture(params=["sqlite", "postgres"])
def served_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServedApp]:
    """itemhub serve with two worker processes on a fresh database."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'race.db'}"
    else:
        require_postgres()
        url = create_postgres_database()
    env = {
        "ITEMHUB_DATABASE_URL": url,
        "ITEMHUB_BCRYPT_ROUNDS": "4",
        # The races are about uniqueness: room for every racer's registration and hash.
        "ITEMHUB_REGISTRATIONS_PER_ADDRESS_PER_HOUR": str(10 * RACERS),
        "ITEMHUB_MAX_PENDING_HASHES": str(RACERS),
    }
    try:
        assert itemhub("migrate", cwd=tmp_path, env=env).returncode == 0
        with running_server(env, tmp_path, workers=2) as base_url:
            yield ServedApp(base_url, url)
    finally:
        if request.param == "postgres":
            drop_postgres_database(url)


@pytest.fixture
def served(served_app: ServedApp) -> str:
    return served_app.base_url

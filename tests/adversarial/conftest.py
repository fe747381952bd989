"""Apps under attack: on the in-memory adapter where a rule lives in the use cases alone, and
on every database where what the database does matters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.security import BcryptPasswordHasher
from tests.api.conftest import Api, build_api
from tests.databases import migrated_database


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

"""When the database stops answering: quick 503s, honest readiness, recovery, nothing lost."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.security import BcryptPasswordHasher
from tests.adversarial.tcp_proxy import TcpProxy
from tests.api.conftest import Api, assert_problem, build_api
from tests.databases import migrated_database

# A request may take this long before it counts as a hang; the configured timeouts are ~1 s.
HANG = 10.0


@pytest.fixture
async def proxy() -> AsyncIterator[TcpProxy]:
    proxy = TcpProxy("127.0.0.1", 5432)
    await proxy.start()
    yield proxy
    await proxy.cut()


@pytest.fixture
def sqlite_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    url = migrated_database("sqlite", request, tmp_path)
    assert url is not None
    return url


@pytest.fixture
async def proxied_api(
    postgres_url: str, proxy: TcpProxy, hasher: BcryptPasswordHasher
) -> AsyncIterator[Api]:
    url = postgres_url
    through_proxy = url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    async for api in build_api(
        through_proxy,
        hasher,
        db_connect_timeout_seconds=1,
        db_statement_timeout_seconds=2,
        db_pool_timeout_seconds=1,
    ):
        yield api


async def timed_get(api: Api, path: str) -> tuple[int, float]:
    started = time.monotonic()
    response = await api.client.get(path)
    return response.status_code, time.monotonic() - started


async def test_cut_database_gives_quick_503s_and_recovers_without_losing_writes(
    proxied_api: Api, proxy: TcpProxy
) -> None:
    api = proxied_api
    _, headers = await api.user("alice")
    acknowledged = [(await api.item(headers, f"before {n}"))["id"] for n in range(5)]

    await proxy.cut()
    for path in ("/api/v1/items", f"/api/v1/items/{acknowledged[0]}", "/health/ready"):
        status, seconds = await timed_get(api, path)
        assert status == 503, path
        assert seconds < HANG, path
    assert (await api.client.get("/health")).status_code == 200
    refused = await api.client.post(
        "/api/v1/items", json={"title": "during", "price": 1}, headers=headers
    )
    assert_problem(refused, 503)
    assert_problem(await api.client.get("/api/v1/users/me", headers=headers), 503)

    await proxy.restore()
    recovered = None
    for _ in range(20):  # the pool discards dead connections as it meets them
        recovered = await api.client.get("/api/v1/items")
        if recovered.status_code == 200:
            break
        await asyncio.sleep(0.1)
    assert recovered is not None
    assert recovered.status_code == 200
    assert [item["id"] for item in recovered.json()["data"]] == list(reversed(acknowledged))
    assert (await api.client.get("/health/ready")).status_code == 200
    after = await api.client.post(
        "/api/v1/items", json={"title": "after", "price": 1}, headers=headers
    )
    assert after.status_code == 201


@pytest.fixture
async def sqlite_api(
    request: pytest.FixtureRequest, tmp_path: Path, hasher: BcryptPasswordHasher
) -> AsyncIterator[Api]:
    url = migrated_database("sqlite", request, tmp_path)
    async for api in build_api(url, hasher, sqlite_busy_timeout_seconds=0.5):
        yield api


async def test_a_locked_sqlite_file_gives_503_for_writes_and_recovers(
    sqlite_api: Api, tmp_path: Path
) -> None:
    api = sqlite_api
    _, headers = await api.user("alice")
    kept = await api.item(headers, "before the lock")
    locker = sqlite3.connect(tmp_path / "itemhub.db", isolation_level=None)
    try:
        locker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        started = time.monotonic()
        blocked = await api.client.post(
            "/api/v1/items", json={"title": "blocked", "price": 1}, headers=headers
        )
        assert_problem(blocked, 503)
        assert time.monotonic() - started < HANG
        reads = await api.client.get("/api/v1/items")  # WAL: readers are not blocked
        assert [item["id"] for item in reads.json()["data"]] == [kept["id"]]
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert (
        await api.client.post("/api/v1/items", json={"title": "after", "price": 1}, headers=headers)
    ).status_code == 201

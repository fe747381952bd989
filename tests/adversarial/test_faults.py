"""When the database stops answering: quick 503s, honest readiness, recovery, nothing lost."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.security import BcryptPasswordHasher
from adapters.sql.migrate import upgrade
from tests.adversarial.tcp_proxy import TcpProxy
from tests.api.conftest import Api, assert_problem, build_api
from tests.databases import migrated_database
from tests.pg_cluster import Cluster, throw_away_cluster

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


@pytest.fixture
def frozen_cluster() -> Iterator[Cluster]:
    """A PostgreSQL cluster of this test's own, migrated: it will be frozen with SIGSTOP."""
    with throw_away_cluster() as cluster:
        upgrade(cluster.url)
        yield cluster


@pytest.fixture
async def cluster_api(frozen_cluster: Cluster, hasher: BcryptPasswordHasher) -> AsyncIterator[Api]:
    async for api in build_api(frozen_cluster.url, hasher, reset=False):
        yield api


async def test_a_frozen_database_gives_503_within_3_s_and_service_resumes_by_itself(
    cluster_api: Api, frozen_cluster: Cluster
) -> None:
    """SIGSTOP of every PostgreSQL process: connections stay open and nothing answers, the
    failure a partition or a stuck server looks like. It held requests as long as it stayed
    frozen (8 s in the drill); now each gets 503 + Retry-After within the contract's 3 s, more
    requests than the pool has connections included, and service resumes without a restart."""
    api = cluster_api
    _, headers = await api.user("alice")
    acknowledged = [(await api.item(headers, f"before {n}"))["id"] for n in range(3)]

    async def timed(method: str, path: str, **kwargs: Any) -> tuple[str, int, float, str]:
        started = time.monotonic()
        response = await api.client.request(method, path, **kwargs)
        elapsed = time.monotonic() - started
        return path, response.status_code, elapsed, response.headers.get("retry-after", "")

    frozen_cluster.freeze()
    try:
        during = await asyncio.gather(
            *(timed("GET", "/api/v1/items") for _ in range(15)),  # more than the pool's 10
            timed("GET", f"/api/v1/items/{acknowledged[0]}"),
            timed("GET", "/api/v1/users/me", headers=headers),
            timed("POST", "/api/v1/items", json={"title": "x", "price": 1}, headers=headers),
            timed("GET", "/health/ready"),
        )
        health = await api.client.get("/health")
    finally:
        frozen_cluster.thaw()
    slowest = max(elapsed for _, _, elapsed, _ in during)
    print(f"\nfrozen: {len(during)} requests, all 503 after at most {slowest:.2f} s")
    assert health.status_code == 200  # liveness does not touch the database
    for path, status, elapsed, retry_after in during:
        assert status == 503, path
        assert elapsed < 3.0, (path, elapsed)
        assert retry_after, path

    started = time.monotonic()
    for _ in range(50):
        recovered = await api.client.get("/api/v1/items")
        if recovered.status_code == 200:
            break
        await asyncio.sleep(0.1)
    print(f"resumed {time.monotonic() - started:.2f} s after the thaw")
    assert recovered.status_code == 200
    assert [item["id"] for item in recovered.json()["data"]] == list(reversed(acknowledged))
    assert (await api.client.get("/health/ready")).status_code == 200
    assert (await api.client.get("/api/v1/users/me", headers=headers)).status_code == 200

"""A burst of parallel password guesses against a real `itemhub serve`: however many arrive at
once, at most the configured number of passwords is checked, in one process and across
workers sharing Redis. (Before the limiter reserved attempts atomically, every guess in flight
passed the check: 100 parallel guesses got 100 passwords checked.)"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.databases import REDIS_URL, require_redis
from tests.e2e.processes import itemhub, running_server

PASSWORD = "the right password"
LIMIT = 10
GUESSES = 100


@pytest.fixture(params=["memory, one worker", "redis, two workers"])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    env = {
        "ITEMHUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'burst.db'}",
        "ITEMHUB_BCRYPT_ROUNDS": "4",
        "ITEMHUB_LOGIN_MAX_FAILURES_PER_ACCOUNT": str(LIMIT),
        "ITEMHUB_MAX_PENDING_HASHES": str(GUESSES),
    }
    workers = 1
    if request.param.startswith("redis"):
        require_redis()
        env["ITEMHUB_RATE_LIMIT_STORAGE_URL"] = REDIS_URL
        workers = 2
    assert itemhub("migrate", cwd=tmp_path, env=env).returncode == 0
    with running_server(env, tmp_path, workers=workers) as base_url:
        yield base_url


def test_a_burst_of_guesses_gets_exactly_the_limit_of_passwords_checked(served: str) -> None:
    name = f"victim{uuid.uuid4().hex[:8]}"  # Redis is shared: a name of this run's own
    account = {"email": f"{name}@example.com", "username": name, "password": PASSWORD}
    assert httpx.post(f"{served}/api/v1/users", json=account).status_code == 201

    async def burst() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=GUESSES)
        async with httpx.AsyncClient(base_url=served, timeout=60, limits=limits) as client:
            form = {"username": name, "password": "a wrong guess"}
            return await asyncio.gather(
                *(client.post("/api/v1/auth/token", data=form) for _ in range(GUESSES))
            )

    statuses = sorted(response.status_code for response in asyncio.run(burst()))
    assert statuses == [401] * LIMIT + [429] * (GUESSES - LIMIT)
    # The right password now waits too: a guess beyond the limit is never checked.
    right = httpx.post(f"{served}/api/v1/auth/token", data={"username": name, "password": PASSWORD})
    assert right.status_code == 429
    assert int(right.headers["retry-after"]) > 0


def test_the_served_app_names_no_server(tmp_path: Path) -> None:
    env = {"ITEMHUB_DATABASE_URL": "memory://"}
    with running_server(env, tmp_path) as base_url:
        response = httpx.get(f"{base_url}/health")
    assert response.status_code == 200
    assert "server" not in response.headers

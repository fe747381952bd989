"""POST /api/v1/auth/token: the OAuth2 password flow, its errors and its throttling."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from adapters.security import BcryptPasswordHasher
from adapters.sql.migrate import upgrade
from tests.api.conftest import PASSWORD, SECRET, Api, assert_problem, build_api
from tests.databases import REDIS_URL, require_redis

TOKEN = "/api/v1/auth/token"


@pytest.mark.parametrize("login", ["alice", "ALICE", "alice@example.com", "Alice@Example.COM"])
async def test_login_by_email_or_username_returns_a_bearer_token(api: Api, login: str) -> None:
    user = await api.register("alice")
    response = await api.client.post(TOKEN, data={"username": login, "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 30 * 60
    assert response.headers["cache-control"] == "no-store"
    claims = jwt.decode(body["access_token"], SECRET, algorithms=["HS256"])
    assert claims["sub"] == str(user["id"])
    assert claims["exp"] - claims["iat"] == 30 * 60


async def test_unknown_user_wrong_password_and_inactive_user_get_the_same_401(api: Api) -> None:
    _, admin = await api.user("admin", superuser=True)
    await api.register("alice")
    bob = await api.register("bob")
    await api.client.patch(f"/api/v1/users/{bob['id']}", json={"is_active": False}, headers=admin)
    answers = []
    for username, password in [
        ("nobody", PASSWORD),
        ("alice", "wrong password"),
        ("bob", PASSWORD),
    ]:
        response = await api.client.post(TOKEN, data={"username": username, "password": password})
        answers.append(assert_problem(response, 401))
    assert answers[0] == answers[1] == answers[2]


async def test_a_password_over_72_bytes_is_just_wrong_at_login(api: Api) -> None:
    await api.register("alice")
    response = await api.client.post(TOKEN, data={"username": "alice", "password": "x" * 200})
    assert_problem(response, 401)


@pytest.mark.parametrize("form", [{}, {"username": "alice"}, {"password": PASSWORD}])
async def test_missing_form_fields_are_a_422(api: Api, form: dict[str, str]) -> None:
    body = assert_problem(await api.client.post(TOKEN, data=form), 422)
    assert body["errors"]


async def test_a_json_body_instead_of_the_form_is_a_422(api: Api) -> None:
    await api.register("alice")
    response = await api.client.post(TOKEN, json={"username": "alice", "password": PASSWORD})
    assert_problem(response, 422)


@pytest.fixture
async def strict_api(backend: str | None, hasher: BcryptPasswordHasher) -> AsyncIterator[Api]:
    """Small limits, so throttling shows in a few requests."""
    async for each in build_api(
        backend, hasher, login_max_failures_per_account=3, login_max_failures_per_address=5
    ):
        yield each


async def fail_login(
    api: Api, username: str, client: httpx.AsyncClient | None = None
) -> httpx.Response:
    return await (client or api.client).post(
        TOKEN, data={"username": username, "password": "wrong guess"}
    )


async def test_repeated_failures_for_an_account_get_429_with_retry_after(strict_api: Api) -> None:
    api = strict_api
    await api.register("alice")
    for _ in range(3):
        assert_problem(await fail_login(api, "alice"), 401)
    response = await api.client.post(TOKEN, data={"username": "alice", "password": PASSWORD})
    assert_problem(response, 429)
    assert 1 <= int(response.headers["retry-after"]) <= 300


async def test_throttling_one_address_leaves_other_addresses_alone(strict_api: Api) -> None:
    api = strict_api
    await api.register("alice")
    for _ in range(3):
        await fail_login(api, "alice")
    app = api.client._transport.app  # type: ignore[attr-defined]
    other = httpx.ASGITransport(app=app, client=("203.0.113.5", 1))
    async with httpx.AsyncClient(transport=other, base_url="http://itemhub.test") as elsewhere:
        response = await elsewhere.post(TOKEN, data={"username": "alice", "password": PASSWORD})
    assert response.status_code == 200


async def test_too_many_failures_from_one_address_block_every_account_there(
    strict_api: Api,
) -> None:
    api = strict_api
    await api.register("alice")
    for n in range(5):
        await fail_login(api, f"stranger{n}")
    response = await api.client.post(TOKEN, data={"username": "alice", "password": PASSWORD})
    assert_problem(response, 429)


async def test_a_successful_login_clears_the_account_count(strict_api: Api) -> None:
    api = strict_api
    await api.register("alice")
    for _ in range(2):
        await fail_login(api, "alice")
    await api.token("alice")
    for _ in range(2):
        assert_problem(await fail_login(api, "alice"), 401)
    await api.token("alice")


async def test_workers_sharing_redis_share_the_failure_count(
    tmp_path: Path, hasher: BcryptPasswordHasher
) -> None:
    """Two apps (as two worker processes would be) on one database and one Redis."""
    require_redis()
    database = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    upgrade(database)
    address = f"test-{uuid.uuid4().hex}"  # Redis outlives the test: keys of its own
    settings: dict[str, Any] = {
        "rate_limit_storage_url": REDIS_URL,
        "login_max_failures_per_account": 3,
    }
    workers = [build_api(database, hasher, (address, 1), **settings) for _ in range(2)]
    first, second = [await anext(worker) for worker in workers]
    try:
        await first.register("alice")
        for api in (first, second, first):
            assert_problem(await fail_login(api, "alice"), 401)
        response = await second.client.post(TOKEN, data={"username": "alice", "password": PASSWORD})
        assert_problem(response, 429)
    finally:
        for worker in workers:
            await worker.aclose()

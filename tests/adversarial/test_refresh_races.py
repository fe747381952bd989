"""Refresh-token rotation under real concurrency: a real server with two workers, real
parallel requests, on SQLite and PostgreSQL. However the requests interleave, one refresh
token is spent once, a session that ended stays ended, and nothing answers 500."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import text

from adapters.options import DatabaseOptions
from adapters.sql.engine import create_engine
from tests.adversarial.conftest import RACERS, ServedApp
from tests.api.conftest import PASSWORD

TOKEN = "/api/v1/auth/token"
# Refresh tokens that could still be exchanged: unspent, of a session that has not ended.
LIVE_REFRESH_TOKENS = text(
    "SELECT count(*) FROM refresh_tokens JOIN sessions ON sessions.id = refresh_tokens.session_id"
    " WHERE refresh_tokens.used_at IS NULL AND sessions.ended_at IS NULL"
)


async def live_refresh_tokens(database_url: str) -> int:
    engine = create_engine(database_url, DatabaseOptions(pooled=False))
    try:
        async with engine.connect() as connection:
            count: int = (await connection.execute(LIVE_REFRESH_TOKENS)).scalar_one()
            return count
    finally:
        await engine.dispose()


async def signed_up(client: httpx.AsyncClient) -> dict[str, Any]:
    account = {"email": "alice@example.com", "username": "alice", "password": PASSWORD}
    assert (await client.post("/api/v1/users", json=account)).status_code == 201
    response = await client.post(TOKEN, data={"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    tokens: dict[str, Any] = response.json()
    return tokens


def refresh(client: httpx.AsyncClient, refresh_token: str) -> Any:
    return client.post(TOKEN, data={"grant_type": "refresh_token", "refresh_token": refresh_token})


def client_of(served: ServedApp) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=RACERS)
    return httpx.AsyncClient(base_url=served.base_url, timeout=60, limits=limits)


async def test_fifty_concurrent_refreshes_with_one_token_leave_at_most_one_live_token(
    served_app: ServedApp,
) -> None:
    async with client_of(served_app) as client:
        tokens = await signed_up(client)
        assert await live_refresh_tokens(served_app.database_url) == 1
        responses = await asyncio.gather(
            *(refresh(client, tokens["refresh_token"]) for _ in range(RACERS))
        )
        statuses = sorted(response.status_code for response in responses)
        assert set(statuses) <= {200, 401}, statuses
        assert statuses.count(200) <= 1, statuses
        assert all(r.json()["error"] == "invalid_grant" for r in responses if r.status_code == 401)
        assert await live_refresh_tokens(served_app.database_url) <= 1
        # Whatever was handed out, at most one refresh token still works.
        handed_out = [r.json()["refresh_token"] for r in responses if r.status_code == 200]
        working = [(await refresh(client, each)).status_code for each in handed_out]
        assert working.count(200) <= 1


async def test_refreshes_racing_a_logout_and_a_password_change_leave_nothing_live(
    served_app: ServedApp,
) -> None:
    async with client_of(served_app) as client:
        first = await signed_up(client)
        second = (await client.post(TOKEN, data={"username": "alice", "password": PASSWORD})).json()
        me = (
            await client.get(
                "/api/v1/users/me", headers={"Authorization": f"Bearer {first['access_token']}"}
            )
        ).json()
        change = {"password": "a new passphrase", "current_password": PASSWORD}
        racers = [refresh(client, first["refresh_token"]) for _ in range(RACERS // 2)]
        racers += [refresh(client, second["refresh_token"]) for _ in range(RACERS // 2)]
        racers.insert(
            RACERS // 4,
            client.post(
                "/api/v1/auth/logout",
                headers={"Authorization": f"Bearer {first['access_token']}"},
            ),
        )
        racers.insert(
            RACERS // 2,
            client.patch(
                f"/api/v1/users/{me['id']}",
                json=change,
                headers={"Authorization": f"Bearer {second['access_token']}"},
            ),
        )
        responses = await asyncio.gather(*racers)
        statuses = {response.status_code for response in responses}
        assert statuses <= {200, 204, 401}, [r.text for r in responses if r.status_code >= 500]
        # The password change ended every session, whatever refreshed around it.
        assert await live_refresh_tokens(served_app.database_url) == 0

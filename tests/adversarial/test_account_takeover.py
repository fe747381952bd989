"""What a stolen access token cannot do (OWASP API2, broken authentication; API5, broken
function-level authorization): take the account over by moving its email, delete it, or
outlive a deactivation; and nobody can leave the service without a superuser."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from adapters.clock import FrozenClock
from adapters.security import BcryptPasswordHasher
from tests.api.conftest import PASSWORD, Api, assert_problem, build_api
from tests.databases import create_postgres_database, drop_postgres_database, require_postgres
from tests.e2e.processes import itemhub, running_server

USERS = "/api/v1/users"
ROUNDS = 12


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime.now(UTC))


@pytest.fixture
async def timed_api(hasher: BcryptPasswordHasher, clock: FrozenClock) -> AsyncIterator[Api]:
    async for api in build_api(None, hasher, clock=clock):
        yield api


async def test_a_stolen_token_cannot_move_the_account_to_another_email(api: Api) -> None:
    alice, stolen = await api.user("alice")
    for body in (
        {"email": "thief@example.com"},
        {"email": "thief@example.com", "current_password": "a guess"},
    ):
        response = await api.client.patch(f"{USERS}/{alice['id']}", json=body, headers=stolen)
        assert assert_problem(response, 400)["type"].endswith("wrong-current-password")
    me = await api.client.get(f"{USERS}/me", headers=stolen)
    assert me.json()["email"] == "alice@example.com"


async def test_a_stolen_token_cannot_delete_the_account_after_a_while(
    timed_api: Api, clock: FrozenClock
) -> None:
    api = timed_api
    _, stolen = await api.user("alice")
    clock.advance(timedelta(minutes=11))  # the token lives 30 minutes; the login is not recent
    response = await api.client.delete(f"{USERS}/me", headers=stolen)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert response.headers["www-authenticate"] == (
        'Bearer error="insufficient_user_authentication", max_age=600'
    )
    assert body["type"] == "urn:itemhub:problem:recent-login-required"
    assert (await api.client.get(f"{USERS}/me", headers=stolen)).status_code == 200
    fresh = await api.login("alice")  # the owner, with the password, can
    assert (await api.client.delete(f"{USERS}/me", headers=fresh)).status_code == 204


async def test_a_reactivated_account_does_not_revive_its_old_tokens(api: Api) -> None:
    _, admin = await api.user("admin", superuser=True)
    alice, stolen = await api.user("alice")
    for active in (False, True):
        response = await api.client.patch(
            f"{USERS}/{alice['id']}", json={"is_active": active}, headers=admin
        )
        assert response.status_code == 200
    assert_problem(await api.client.get(f"{USERS}/me", headers=stolen), 401)
    assert (
        await api.client.get(f"{USERS}/me", headers=await api.login("alice"))
    ).status_code == 200


@pytest.mark.parametrize(
    ("method", "body"),
    [("PATCH", {"is_active": False}), ("PATCH", {"is_superuser": False}), ("DELETE", None)],
)
async def test_the_last_active_superuser_cannot_go(
    api: Api, method: str, body: dict[str, bool] | None
) -> None:
    admin, headers = await api.user("admin", superuser=True)
    response = await api.client.request(
        method, f"{USERS}/{admin['id']}", json=body, headers=headers
    )
    assert assert_problem(response, 409)["type"] == "urn:itemhub:problem:last-superuser"
    assert (await api.client.get(f"{USERS}/me", headers=headers)).json()["is_superuser"]


@pytest.fixture(params=["sqlite", "postgres"])
def two_workers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'admins.db'}"
    else:
        require_postgres()
        url = create_postgres_database()
    env = {
        "ITEMHUB_DATABASE_URL": url,
        "ITEMHUB_BCRYPT_ROUNDS": "8",  # ~15 ms: the window between authorising and writing
        "ITEMHUB_SUPERUSER_PASSWORD": PASSWORD,
    }
    try:
        assert itemhub("migrate", cwd=tmp_path, env=env).returncode == 0
        for name in ("ann", "bob"):
            made = itemhub("create-superuser", f"{name}@example.com", name, cwd=tmp_path, env=env)
            assert made.returncode == 0, made.stderr
        with running_server(env, tmp_path, workers=2) as base_url:
            yield base_url
    finally:
        if request.param == "postgres":
            drop_postgres_database(url)


def test_two_superusers_demoting_each_other_at_once_leave_one(two_workers: str) -> None:
    """Checked in the database (row locks, or SQLite's serialised writers), not read-then-
    write. Each demotion also resets the other's password, so a hash runs between reading the
    caller and writing: both requests are then usually past their authorisation when they
    write, and only the database can stop the second. Never both win, never a 500."""

    async def rounds() -> list[list[int]]:
        outcomes = []
        async with httpx.AsyncClient(base_url=two_workers, timeout=30) as client:
            tokens, ids = {}, {}
            for name in ("ann", "bob"):
                form = {"username": name, "password": PASSWORD}
                tokens[name] = (await client.post("/api/v1/auth/token", data=form)).json()
                me = await client.get(f"{USERS}/me", headers=bearer(tokens[name]))
                ids[name] = me.json()["id"]
            for _ in range(ROUNDS):
                demote = {"is_superuser": False, "password": PASSWORD}
                demotions = await asyncio.gather(
                    client.patch(
                        f"{USERS}/{ids['bob']}", json=demote, headers=bearer(tokens["ann"])
                    ),
                    client.patch(
                        f"{USERS}/{ids['ann']}", json=demote, headers=bearer(tokens["bob"])
                    ),
                )
                statuses = [response.status_code for response in demotions]
                outcomes.append(statuses)
                # Not raced: the loser's token was already revoked (401) or it was no longer a
                # superuser (403). Raced: the database stopped it (409).
                assert sorted(statuses) in ([200, 401], [200, 403], [200, 409]), statuses
                winner = "ann" if statuses[0] == 200 else "bob"
                loser = "bob" if winner == "ann" else "ann"
                restored = await client.patch(
                    f"{USERS}/{ids[loser]}",
                    json={"is_superuser": True},
                    headers=bearer(tokens[winner]),
                )
                assert restored.status_code == 200
                # The reset password revoked the loser's token: log in again for the next round.
                form = {"username": loser, "password": PASSWORD}
                tokens[loser] = (await client.post("/api/v1/auth/token", data=form)).json()
        return outcomes

    outcomes = asyncio.run(rounds())
    overlapped = sum(409 in statuses for statuses in outcomes)
    assert overlapped >= 1, f"no round raced: the test proved nothing ({outcomes})"


def bearer(token: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token['access_token']}"}

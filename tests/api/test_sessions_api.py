"""Sessions over HTTP, on every adapter: the refresh_token grant and its errors, logout, and the
session endpoints for users and superusers (contract v1.1, "Sessions")."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from adapters.clock import FrozenClock
from adapters.security import BcryptPasswordHasher
from tests.api.conftest import PASSWORD, SECRET, Api, assert_problem, build_api

TOKEN = "/api/v1/auth/token"
LOGOUT = "/api/v1/auth/logout"
MINE = "/api/v1/users/me/sessions"
USERS = "/api/v1/users"


async def log_in(api: Api, name: str = "alice", **headers: str) -> dict[str, Any]:
    response = await api.client.post(
        TOKEN, data={"username": name, "password": PASSWORD}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def refresh(api: Api, refresh_token: str) -> httpx.Response:
    return await api.client.post(
        TOKEN, data={"grant_type": "refresh_token", "refresh_token": refresh_token}
    )


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def works(api: Api, tokens: dict[str, Any]) -> bool:
    response = await api.client.get(f"{USERS}/me", headers=bearer(tokens))
    assert response.status_code in {200, 401}, response.text
    return response.status_code == 200


def assert_invalid_grant(response: httpx.Response) -> None:
    body = assert_problem(response, 401)
    assert body["error"] == "invalid_grant"


async def test_a_login_answers_a_refresh_token_and_a_session_bound_access_token(
    api: Api,
) -> None:
    user = await api.register("alice")
    tokens = await log_in(api)
    assert len(tokens["refresh_token"]) == 43  # 256 bits, URL-safe base64
    assert tokens["refresh_token"] not in tokens["access_token"]
    claims = jwt.decode(tokens["access_token"], SECRET, algorithms=["HS256"])
    assert claims["sub"] == str(user["id"])
    assert claims["auth_time"] == claims["iat"]
    sessions = (await api.client.get(MINE, headers=bearer(tokens))).json()["data"]
    assert [session["id"] for session in sessions] == [claims["sid"]]


async def test_a_refresh_rotates_both_tokens_and_the_old_refresh_token_stops(api: Api) -> None:
    await api.register("alice")
    first = await log_in(api)
    response = await refresh(api, first["refresh_token"])
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    second = response.json()
    assert second["token_type"] == "bearer"
    assert second["expires_in"] == 30 * 60
    assert second["refresh_token"] != first["refresh_token"]
    assert await works(api, second)
    old, new = (
        jwt.decode(tokens["access_token"], SECRET, algorithms=["HS256"])
        for tokens in (first, second)
    )
    assert (new["sid"], new["auth_time"]) == (old["sid"], old["auth_time"])
    assert (await refresh(api, second["refresh_token"])).status_code == 200


async def test_a_stolen_refresh_token_used_after_the_owners_refresh_ends_the_session(
    api: Api,
) -> None:
    """The owner refreshes; the thief presents the token the owner spent: the session ends for
    both, and the owner's newest tokens get 401 at once."""
    await api.register("alice")
    stolen = await log_in(api)
    owners = (await refresh(api, stolen["refresh_token"])).json()
    assert_invalid_grant(await refresh(api, stolen["refresh_token"]))
    assert not await works(api, owners)
    assert_invalid_grant(await refresh(api, owners["refresh_token"]))
    assert await works(api, await log_in(api))  # a new login starts afresh


async def test_a_v1_client_without_grant_type_and_the_docs_authorize_form_still_log_in(
    api: Api,
) -> None:
    await api.register("alice")
    for form in (
        {"username": "alice", "password": PASSWORD},
        # What Swagger UI's Authorize dialog sends for the OAuth2 password flow.
        {
            "grant_type": "password",
            "username": "alice",
            "password": PASSWORD,
            "scope": "",
            "client_id": "",
        },
    ):
        response = await api.client.post(TOKEN, data=form)
        assert response.status_code == 200, response.text
        assert await works(api, response.json())


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"grant_type": "client_credentials"}, 400, "unsupported_grant_type"),
        ({"grant_type": "PASSWORD", "username": "alice", "password": PASSWORD}, 400, None),
        ({"grant_type": "password"}, 422, "invalid_request"),
        ({"username": "alice"}, 422, "invalid_request"),
        ({"grant_type": "refresh_token"}, 422, "invalid_request"),
        ({"grant_type": "refresh_token", "refresh_token": "x" * 2000}, 422, "invalid_request"),
        ({"username": "x" * 255, "password": PASSWORD}, 422, "invalid_request"),
        ({"username": "alice", "password": "wrong"}, 401, "invalid_grant"),
        ({"grant_type": "refresh_token", "refresh_token": "not-one-we-issued"}, 401, None),
        ({"grant_type": "refresh_token", "refresh_token": "A" * 43}, 401, "invalid_grant"),
    ],
)
async def test_token_endpoint_errors_carry_the_oauth_error_code(
    api: Api, form: dict[str, str], status: int, error: str | None
) -> None:
    await api.register("alice")
    body = assert_problem(await api.client.post(TOKEN, data=form), status)
    expected = error or {400: "unsupported_grant_type", 401: "invalid_grant"}[status]
    assert body["error"] == expected
    if status == 422:
        assert body["errors"], body


async def test_a_missing_field_is_named(api: Api) -> None:
    body = assert_problem(await api.client.post(TOKEN, data={"grant_type": "password"}), 422)
    assert [error["loc"] for error in body["errors"]] == [
        ["body", "username"],
        ["body", "password"],
    ]


async def test_logout_ends_the_callers_session_only(api: Api) -> None:
    await api.register("alice")
    laptop, phone = await log_in(api), await log_in(api)
    assert (await api.client.post(LOGOUT, headers=bearer(laptop))).status_code == 204
    assert not await works(api, laptop)
    assert_invalid_grant(await refresh(api, laptop["refresh_token"]))
    assert_problem(await api.client.post(LOGOUT, headers=bearer(laptop)), 401)
    assert await works(api, phone)
    assert_problem(await api.client.post(LOGOUT), 401)


async def test_a_user_sees_their_live_sessions_newest_first(api: Api) -> None:
    await api.register("alice")
    await api.register("bob")
    agent = "Mozilla/5.0 (X11; Linux x86_64) " + "Gecko " * 40
    older = await log_in(api, **{"User-Agent": agent})
    await log_in(api, "bob")
    newer = await log_in(api, **{"User-Agent": "itemhub-cli/1.0"})
    response = await api.client.get(MINE, headers=bearer(newer))
    assert response.status_code == 200
    page = response.json()
    assert page["next_cursor"] is None
    sessions = page["data"]
    assert [s["current"] for s in sessions] == [True, False]
    assert set(sessions[0]) == {
        "id",
        "created_at",
        "last_used_at",
        "expires_at",
        "user_agent",
        "ip_address",
        "current",
    }
    assert sessions[0]["user_agent"] == "itemhub-cli/1.0"
    assert sessions[1]["user_agent"] == agent[:200].strip()
    assert {s["ip_address"] for s in sessions} == {"198.51.100.10"}
    created = datetime.fromisoformat(sessions[0]["created_at"])
    expires = datetime.fromisoformat(sessions[0]["expires_at"])
    assert expires - created == timedelta(days=14)
    assert sessions[0]["last_used_at"] == sessions[0]["created_at"]
    older_claims = jwt.decode(older["access_token"], SECRET, algorithms=["HS256"])
    assert sessions[1]["id"] == older_claims["sid"]


async def test_session_pages_follow_the_cursor(api: Api) -> None:
    await api.register("alice")
    for _ in range(4):
        tokens = await log_in(api)
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await api.client.get(MINE, params=params, headers=bearer(tokens))).json()
        seen += [s["id"] for s in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 4
    items_cursor = (await api.client.get("/api/v1/items", params={"limit": 1})).json()
    for bad in ("garbage", "eyJ4Ijox", items_cursor["next_cursor"] or "W10"):
        response = await api.client.get(MINE, params={"cursor": bad}, headers=bearer(tokens))
        assert_problem(response, 422)


async def test_log_out_everywhere_else(api: Api) -> None:
    await api.register("alice")
    here, *elsewhere = [await log_in(api) for _ in range(3)]
    response = await api.client.delete(MINE, headers=bearer(here))
    assert response.status_code == 204
    assert await works(api, here)
    for tokens in elsewhere:
        assert not await works(api, tokens)
        assert_invalid_grant(await refresh(api, tokens["refresh_token"]))
    sessions = (await api.client.get(MINE, headers=bearer(here))).json()["data"]
    assert [s["current"] for s in sessions] == [True]


async def test_ending_one_session_by_id(api: Api) -> None:
    await api.register("alice")
    await api.register("bob")
    here, there = await log_in(api), await log_in(api)
    bobs = await log_in(api, "bob")
    there_id = jwt.decode(there["access_token"], SECRET, algorithms=["HS256"])["sid"]
    bobs_id = jwt.decode(bobs["access_token"], SECRET, algorithms=["HS256"])["sid"]
    assert (await api.client.delete(f"{MINE}/{there_id}", headers=bearer(here))).status_code == 204
    assert not await works(api, there)
    for not_mine in (there_id, bobs_id, "nope", "%00", "B" * 22):
        response = await api.client.delete(f"{MINE}/{not_mine}", headers=bearer(here))
        body = assert_problem(response, 404)
        assert body["type"] == "urn:itemhub:problem:session-not-found"
    assert await works(api, bobs)


async def test_superusers_list_and_end_a_users_sessions(api: Api) -> None:
    _, admin = await api.user("admin", superuser=True)
    alice = await api.register("alice")
    tokens = await log_in(api)
    listed = await api.client.get(f"{USERS}/{alice['id']}/sessions", headers=admin)
    assert listed.status_code == 200
    assert [s["current"] for s in listed.json()["data"]] == [False]
    ended = await api.client.delete(f"{USERS}/{alice['id']}/sessions", headers=admin)
    assert ended.status_code == 204
    assert not await works(api, tokens)
    assert_invalid_grant(await refresh(api, tokens["refresh_token"]))
    after = await api.client.get(f"{USERS}/{alice['id']}/sessions", headers=admin)
    assert after.json()["data"] == []


async def test_only_superusers_manage_sessions_by_user_id(api: Api) -> None:
    admin_user, admin = await api.user("admin", superuser=True)
    alice = await api.register("alice")
    tokens = await log_in(api)
    for target in (admin_user["id"], alice["id"], 999_999):
        for method in ("GET", "DELETE"):
            path = f"{USERS}/{target}/sessions"
            assert_problem(await api.client.request(method, path, headers=bearer(tokens)), 403)
            assert_problem(await api.client.request(method, path), 401)
    for method in ("GET", "DELETE"):
        response = await api.client.request(method, f"{USERS}/999999/sessions", headers=admin)
        assert_problem(response, 404)
    assert await works(api, tokens)


async def test_a_password_change_ends_every_session_of_the_account(api: Api) -> None:
    alice = await api.register("alice")
    laptop, phone = await log_in(api), await log_in(api)
    change = {"password": "a new passphrase", "current_password": PASSWORD}
    response = await api.client.patch(f"{USERS}/{alice['id']}", json=change, headers=bearer(phone))
    assert response.status_code == 200
    for tokens in (laptop, phone):
        assert not await works(api, tokens)
        assert_invalid_grant(await refresh(api, tokens["refresh_token"]))


async def test_deactivation_ends_sessions_that_reactivation_does_not_revive(api: Api) -> None:
    _, admin = await api.user("admin", superuser=True)
    alice = await api.register("alice")
    tokens = await log_in(api)
    for active in (False, True):
        response = await api.client.patch(
            f"{USERS}/{alice['id']}", json={"is_active": active}, headers=admin
        )
        assert response.status_code == 200
    assert not await works(api, tokens)
    assert_invalid_grant(await refresh(api, tokens["refresh_token"]))


async def test_a_deleted_accounts_refresh_token_is_refused(api: Api) -> None:
    _, admin = await api.user("admin", superuser=True)
    alice = await api.register("alice")
    tokens = await log_in(api)
    assert (await api.client.delete(f"{USERS}/{alice['id']}", headers=admin)).status_code == 204
    assert_invalid_grant(await refresh(api, tokens["refresh_token"]))


@pytest.fixture
async def clocked(
    backend: str | None, hasher: BcryptPasswordHasher
) -> AsyncIterator[tuple[Api, FrozenClock]]:
    clock = FrozenClock(datetime.now(UTC))
    async for each in build_api(backend, hasher, clock=clock):
        yield each, clock


async def test_refreshing_keeps_a_session_for_weeks_and_never_past_its_maximum(
    clocked: tuple[Api, FrozenClock],
) -> None:
    api, clock = clocked
    await api.register("alice")
    tokens = await log_in(api)
    for _ in range(2):  # days 13 and 26, each within the 14 idle days
        clock.advance(timedelta(days=13))
        response = await refresh(api, tokens["refresh_token"])
        assert response.status_code == 200, response.text
        tokens = response.json()
    sessions = (await api.client.get(MINE, headers=bearer(tokens))).json()["data"]
    assert datetime.fromisoformat(sessions[0]["expires_at"]) == datetime.fromisoformat(
        sessions[0]["created_at"]
    ) + timedelta(days=30)
    clock.advance(timedelta(days=4))
    assert_invalid_grant(await refresh(api, tokens["refresh_token"]))


async def test_an_idle_session_ends_after_its_idle_days(clocked: tuple[Api, FrozenClock]) -> None:
    api, clock = clocked
    await api.register("alice")
    tokens = await log_in(api)
    clock.advance(timedelta(days=14))
    assert_invalid_grant(await refresh(api, tokens["refresh_token"]))


async def test_the_openapi_document_describes_both_grants(api: Api) -> None:
    document = (await api.client.get("/openapi.json")).json()
    operation = document["paths"][TOKEN]["post"]
    ref = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    form = document["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]
    assert form["properties"]["grant_type"]["enum"] == ["password", "refresh_token"]
    assert {"username", "password", "refresh_token"} <= set(form["properties"])
    token = document["components"]["schemas"]["Token"]
    assert "refresh_token" in token["required"]
    responses = operation["responses"]
    for status, code in (("400", "unsupported_grant_type"), ("422", "invalid_request")):
        examples = responses[status]["content"]["application/problem+json"]["examples"]
        assert [example["value"]["error"] for example in examples.values()] == [code]
    scheme = document["components"]["securitySchemes"]["OAuth2PasswordBearer"]
    assert scheme["flows"]["password"]["tokenUrl"] == TOKEN

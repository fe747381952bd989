"""Limits on what one client can make the service spend (OWASP API4, unrestricted resource
consumption; API2, broken authentication): registrations, password hashing, error answers,
login names. Each closes a class of weakness a black-box attack found."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from adapters.security import BcryptPasswordHasher
from tests.api.conftest import PASSWORD, Api, assert_problem, build_api

USERS = "/api/v1/users"


def account(name: str) -> dict[str, str]:
    return {"email": f"{name}@example.com", "username": name, "password": PASSWORD}


@pytest.fixture
async def three_per_hour(hasher: BcryptPasswordHasher) -> AsyncIterator[Api]:
    async for api in build_api(None, hasher, registrations_per_address_per_hour=3):
        yield api


async def test_registrations_are_limited_per_address_and_only_there(three_per_hour: Api) -> None:
    api = three_per_hour
    for n in range(5):  # refused before any hashing: they do not count
        assert_problem(await api.client.post(USERS, json={"email": f"bad{n}"}), 422)
    for n in range(3):
        assert (await api.client.post(USERS, json=account(f"user{n}"))).status_code == 201
    assert (await api.client.post(USERS, json=account("user0"))).status_code == 429  # counted 409s
    refused = await api.client.post(USERS, json=account("late"))
    body = assert_problem(refused, 429)
    assert body["type"] == "urn:itemhub:problem:too-many-registrations"
    assert 3500 <= int(refused.headers["retry-after"]) <= 3600
    async with api.client_from("203.0.113.5") as elsewhere:
        assert (await elsewhere.post(USERS, json=account("late"))).status_code == 201


async def test_a_flood_of_password_hashing_is_answered_503_at_once() -> None:
    """Hashes beyond the admitted number wait nowhere: 503 + Retry-After, never a 500, and the
    admitted ones finish."""
    slow = BcryptPasswordHasher(rounds=10, max_pending=2)
    try:
        async for api in build_api(None, slow):
            responses = await asyncio.gather(
                *(api.client.post(USERS, json=account(f"flood{n}")) for n in range(12))
            )
    finally:
        slow.close()
    statuses = sorted(response.status_code for response in responses)
    assert set(statuses) == {201, 503}, statuses
    assert statuses.count(201) >= 2
    for response in responses:
        if response.status_code == 503:
            body = assert_problem(response, 503)
            assert body["type"] == "urn:itemhub:problem:busy"
            assert int(response.headers["retry-after"]) >= 1


async def test_a_login_name_longer_than_any_account_name_is_a_422(api: Api) -> None:
    form = {"username": "a" * 255, "password": "whatever password"}
    body = assert_problem(await api.client.post("/api/v1/auth/token", data=form), 422)
    assert body["errors"][0]["loc"] == ["body", "username"]
    form["username"] = "a" * 254  # the longest an email can be: an ordinary failed login
    assert_problem(await api.client.post("/api/v1/auth/token", data=form), 401)


async def test_an_error_answer_lists_at_most_20_errors_and_says_how_many(api: Api) -> None:
    body = {f"unknown{n}": n for n in range(50)} | {"email": 1}
    problem = assert_problem(await api.client.post(USERS, json=body), 422)
    assert len(problem["errors"]) == 20
    assert problem["detail"].startswith("Invalid request: 53 errors, the first 20 listed")


async def test_a_megabyte_of_unknown_fields_is_one_small_error(api: Api) -> None:
    """It made a 9 MB answer and held the event loop 1.5 s."""
    body = json.dumps({f"k{n}": 0 for n in range(75_000)})
    assert len(body) > 900_000
    response = await api.client.post(
        USERS, content=body, headers={"content-type": "application/json"}
    )
    problem = assert_problem(response, 422)
    assert len(response.content) < 1000
    assert problem["errors"][0]["msg"].endswith("the object has 75000 fields; at most 64 are read")


async def test_a_megabyte_long_field_name_is_not_echoed_back(api: Api) -> None:
    response = await api.client.post(USERS, json={"x" * 900_000: 1})
    problem = assert_problem(response, 422)
    assert len(response.content) < 2000
    assert max(len(str(part)) for error in problem["errors"] for part in error["loc"]) <= 64


async def test_titles_hiding_their_direction_or_invisible_characters_are_refused(
    api: Api,
) -> None:
    _, headers = await api.user("alice")
    for title in ("Genuine watch \u202egnol", "Lamp\u200b", "\u2066Lamp\u2069"):
        response = await api.client.post(
            "/api/v1/items", json={"title": title, "price": 1}, headers=headers
        )
        assert assert_problem(response, 422)["errors"][0]["loc"] == ["body", "title"]


async def test_a_negative_zero_price_is_zero(api: Api) -> None:
    _, headers = await api.user("alice")
    created = await api.client.post(
        "/api/v1/items",
        content=b'{"title": "Free lamp", "price": -0.00}',
        headers=headers | {"content-type": "application/json"},
    )
    assert created.status_code == 201, created.text
    assert not created.text.split('"price":')[1].startswith("-")
    assert created.json()["price"] == 0


async def test_no_response_carries_a_server_header(api: Api) -> None:
    """The in-process app sets none; `itemhub serve` is checked in tests/e2e/test_serve.py."""
    for response in (await api.client.get("/health"), await api.client.get("/nowhere")):
        assert "server" not in response.headers


async def test_query_values_with_control_characters_are_a_422(any_api: Api) -> None:
    api = any_api
    for raw in ("/api/v1/items?q=lamp%00", "/api/v1/items?q=%1b%5b2J", "/api/v1/items?q=%ff%fe"):
        response = await api.client.get(raw)
        if response.status_code != 200:  # %ff%fe decodes to U+FFFD: a plain search
            assert assert_problem(response, 422)["errors"][0]["loc"] == ["query", "q"]
    assert (await api.client.get("/api/v1/items", params={"q": "lamp\x00"})).status_code == 422


async def test_a_client_sending_megabytes_of_bad_input_does_not_stop_others(
    sql_api: Api,
) -> None:
    """The answer to bad input costs bounded work, so other requests still get theirs."""
    body = json.dumps({f"k{n}": 0 for n in range(75_000)})
    api = sql_api
    floods = [
        api.client.post(USERS, content=body, headers={"content-type": "application/json"})
        for _ in range(4)
    ]
    fine = api.client.get("/api/v1/items")
    *flooded, answered = await asyncio.gather(*floods, fine)
    assert all(response.status_code == 422 for response in flooded)
    assert answered.status_code == 200


async def test_each_client_gets_its_own_login_quota(api: Api) -> None:
    """The quota of one address does not spill onto another's (the class of lock-outs)."""
    await api.register("alice")
    form = {"username": "alice", "password": "not her password"}
    async with api.client_from("198.51.100.99") as attacker:
        for _ in range(10):
            assert (await attacker.post("/api/v1/auth/token", data=form)).status_code == 401
        assert (await attacker.post("/api/v1/auth/token", data=form)).status_code == 429
    owner = {"username": "alice", "password": PASSWORD}
    assert (await api.client.post("/api/v1/auth/token", data=owner)).status_code == 200

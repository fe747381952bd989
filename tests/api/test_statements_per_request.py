"""SQL per request on the hot paths, counted on the wire between itemhub and PostgreSQL.

Warm-up requests run first: asyncpg prepares a statement once per connection, which is a round
trip of its own the first time only."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from adapters.security import BcryptPasswordHasher
from tests.api.conftest import PASSWORD, Api, build_api
from tests.pg_wire import PgWireCounter, WireCounts


@pytest.fixture
async def counter() -> AsyncIterator[PgWireCounter]:
    counter = PgWireCounter()
    await counter.start()
    yield counter
    await counter.close()


@pytest.fixture
async def counted_api(
    postgres_url: str, counter: PgWireCounter, hasher: BcryptPasswordHasher
) -> AsyncIterator[Api]:
    url = postgres_url
    # One connection, so every request after the first finds its statements prepared.
    async for api in build_api(counter.url(url), hasher, db_pool_size=1):
        yield api


async def on_the_wire(
    counter: PgWireCounter, send: Callable[[], Awaitable[httpx.Response]], expected_status: int
) -> WireCounts:
    assert (await send()).status_code == expected_status  # warm-up
    before = counter.counts
    assert (await send()).status_code == expected_status
    return counter.counts - before


async def test_reading_the_caller_is_one_statement_without_a_transaction(
    counted_api: Api, counter: PgWireCounter
) -> None:
    _, headers = await counted_api.user("alice")
    counts = await on_the_wire(
        counter, lambda: counted_api.client.get("/api/v1/users/me", headers=headers), 200
    )
    assert counts == WireCounts(statements=1, transaction_control=0, round_trips=1)


async def test_a_page_of_items_or_one_item_is_one_statement(
    counted_api: Api, counter: PgWireCounter
) -> None:
    _, headers = await counted_api.user("alice")
    items = [await counted_api.item(headers, f"Lamp {n}") for n in range(25)]
    client = counted_api.client
    for path in (
        "/api/v1/items?limit=20",
        f"/api/v1/items?limit=5&owner_id={items[0]['user_id']}&q=lamp&min_price=1",
        f"/api/v1/items/{items[3]['id']}",
    ):
        counts = await on_the_wire(counter, lambda path=path: client.get(path), 200)  # type: ignore[misc]
        assert counts == WireCounts(statements=1, transaction_control=0, round_trips=1), path


async def test_creating_an_item_is_the_caller_plus_one_insert_in_a_transaction(
    counted_api: Api, counter: PgWireCounter
) -> None:
    _, headers = await counted_api.user("alice")
    counts = await on_the_wire(
        counter,
        lambda: counted_api.client.post(
            "/api/v1/items", json={"title": "Lamp", "price": 12.5}, headers=headers
        ),
        201,
    )
    assert counts == WireCounts(statements=2, transaction_control=2, round_trips=4)


async def test_a_refresh_is_four_statements_in_one_transaction(
    counted_api: Api, counter: PgWireCounter
) -> None:
    """Spend the old token (conditional UPDATE), read its session, move the session on (an UPDATE
    conditional on it still being live), store the new token: each rule is a condition of the
    write that enforces it, so a racing refresh or logout cannot slip between a check and it."""
    await counted_api.register("alice")
    client = counted_api.client
    tokens = (
        await client.post("/api/v1/auth/token", data={"username": "alice", "password": PASSWORD})
    ).json()

    async def rotate() -> httpx.Response:
        response = await client.post(
            "/api/v1/auth/token",
            data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        )
        tokens.update(response.json())
        return response

    counts = await on_the_wire(counter, rotate, 200)
    assert counts == WireCounts(statements=4, transaction_control=2, round_trips=6)


async def test_an_ended_session_is_refused_by_the_statement_that_loads_the_caller(
    counted_api: Api, counter: PgWireCounter
) -> None:
    _, headers = await counted_api.user("alice")
    client = counted_api.client
    assert (await client.get("/api/v1/users/me", headers=headers)).status_code == 200
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    counts = await on_the_wire(
        counter, lambda: client.get("/api/v1/users/me", headers=headers), 401
    )
    assert counts == WireCounts(statements=1, transaction_control=0, round_trips=1)

"""Concurrent requests must not corrupt data or turn a conflict into a 500."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.adversarial.conftest import RACERS
from tests.api.conftest import PASSWORD, Api


async def test_fifty_registrations_of_one_email_make_one_account(served: str) -> None:
    async def register(n: int) -> httpx.Response:
        account = {"email": "Race@Example.com", "username": f"racer{n}", "password": PASSWORD}
        return await client.post("/api/v1/users", json=account)

    limits = httpx.Limits(max_connections=RACERS)
    async with httpx.AsyncClient(base_url=served, timeout=60, limits=limits) as client:
        responses = await asyncio.gather(*(register(n) for n in range(RACERS)))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * (RACERS - 1), statuses
    assert all(
        r.headers["content-type"] == "application/problem+json"
        for r in responses
        if r.status_code == 409
    )


async def test_concurrent_updates_of_one_item_leave_one_whole_write(sql_api: Api) -> None:
    api = sql_api
    _, headers = await api.user("alice")
    item = await api.item(headers, "original", 1)
    writes = [
        {"title": f"write {n}", "price": n, "description": f"by writer {n}"} for n in range(1, 31)
    ]

    async def write(body: dict[str, Any]) -> int:
        response = await api.client.patch(f"/api/v1/items/{item['id']}", json=body, headers=headers)
        return response.status_code

    assert set(await asyncio.gather(*(write(body) for body in writes))) == {200}
    final = (await api.client.get(f"/api/v1/items/{item['id']}")).json()
    n = int(final["title"].removeprefix("write "))
    assert (final["price"], final["description"]) == (n, f"by writer {n}")


async def test_deleting_a_user_while_they_create_items_leaves_no_orphan(sql_api: Api) -> None:
    api = sql_api
    victim, headers = await api.user("victim")

    async def create(n: int) -> int:
        body = {"title": f"item {n}", "price": 1}
        return (await api.client.post("/api/v1/items", json=body, headers=headers)).status_code

    async def delete() -> int:
        return (await api.client.delete("/api/v1/users/me", headers=headers)).status_code

    tasks = [create(n) for n in range(20)]
    tasks.insert(10, delete())
    statuses = await asyncio.gather(*tasks)
    assert 204 in statuses
    assert set(statuses) <= {201, 204, 401}
    listing = (await api.client.get("/api/v1/items", params={"owner_id": victim["id"]})).json()
    assert listing["data"] == []
    assert (await api.client.get("/api/v1/items")).json()["data"] == []

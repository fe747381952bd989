"""/api/v1/items: publishing, browsing with filters and paging, changing and removing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import Api, assert_problem

ITEMS = "/api/v1/items"
ITEM_FIELDS = {"id", "title", "description", "price", "user_id", "created_at", "updated_at"}


async def test_created_item_belongs_to_the_caller(api: Api) -> None:
    alice, headers = await api.user("alice")
    response = await api.client.post(
        ITEMS,
        json={"title": "  Desk lamp ", "description": "Brass", "price": 49.5},
        headers=headers,
    )
    assert response.status_code == 201
    item = response.json()
    assert set(item) == ITEM_FIELDS
    assert response.headers["location"] == f"{ITEMS}/{item['id']}"
    assert (item["title"], item["description"], item["price"], item["user_id"]) == (
        "Desk lamp",
        "Brass",
        49.5,
        alice["id"],
    )


async def test_anonymous_cannot_create(api: Api) -> None:
    assert_problem(await api.client.post(ITEMS, json={"title": "x", "price": 1}), 401)


async def test_user_id_cannot_be_assigned(api: Api) -> None:
    _, headers = await api.user("alice")
    response = await api.client.post(
        ITEMS, json={"title": "x", "price": 1, "user_id": 1}, headers=headers
    )
    assert_problem(response, 422)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"title": "   ", "price": 1}', "title"),
        (b'{"title": "' + b"x" * 201 + b'", "price": 1}', "title"),
        (b'{"title": "bell\\u0007", "price": 1}', "title"),
        (b'{"title": "ok", "description": "' + b"x" * 2001 + b'", "price": 1}', "description"),
        (b'{"title": "ok", "price": 1.005}', "price"),
        (b'{"title": "ok", "price": 1.0000000000000001}', "price"),
        (b'{"title": "ok", "price": -0.01}', "price"),
        (b'{"title": "ok", "price": 1000000000.01}', "price"),
        (b'{"title": "ok", "price": "12.50"}', "price"),
        (b'{"title": "ok", "price": true}', "price"),
        (b'{"title": "ok"}', "price"),
        (b'{"price": 1}', "title"),
    ],
)
async def test_invalid_items_are_422_naming_the_field(api: Api, body: bytes, field: str) -> None:
    _, headers = await api.user("alice")
    response = await api.client.post(
        ITEMS, content=body, headers=headers | {"content-type": "application/json"}
    )
    problem = assert_problem(response, 422)
    assert ["body", field] in [error["loc"] for error in problem["errors"]]


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity"])
async def test_non_finite_prices_are_refused(api: Api, literal: bytes) -> None:
    _, headers = await api.user("alice")
    body = b'{"title": "ok", "price": ' + literal + b"}"
    response = await api.client.post(
        ITEMS, content=body, headers=headers | {"content-type": "application/json"}
    )
    assert_problem(response, 422)


@pytest.mark.parametrize(
    "price", ["0", "0.01", "19.99", "1000000000", "1000000000.00", "123456789.1"]
)
async def test_prices_come_back_exactly(api: Api, price: str) -> None:
    _, headers = await api.user("alice")
    body = b'{"title": "ok", "price": ' + price.encode() + b"}"
    response = await api.client.post(
        ITEMS, content=body, headers=headers | {"content-type": "application/json"}
    )
    created = response.json()
    shown = (await api.client.get(f"{ITEMS}/{created['id']}")).json()
    assert str(shown["price"]) in {price, str(float(price))}
    assert float(shown["price"]) == float(price)


async def test_anyone_reads_an_item_with_its_owner(api: Api) -> None:
    alice, headers = await api.user("alice")
    item = await api.item(headers, "Lamp", 10)
    response = await api.client.get(f"{ITEMS}/{item['id']}")
    assert response.status_code == 200
    assert response.json() == item | {"owner": {"id": alice["id"], "username": "alice"}}
    assert_problem(await api.client.get(f"{ITEMS}/999999"), 404)


async def test_listing_is_newest_first_with_owners(api: Api) -> None:
    _, alice = await api.user("alice")
    _, bob = await api.user("bob")
    ids = [
        (await api.item(headers, f"item {n}"))["id"]
        for n, headers in enumerate([alice, bob, alice])
    ]
    page = (await api.client.get(ITEMS)).json()
    assert [item["id"] for item in page["data"]] == list(reversed(ids))
    assert [item["owner"]["username"] for item in page["data"]] == ["alice", "bob", "alice"]
    assert page["next_cursor"] is None


async def test_keyset_and_offset_paging(api: Api) -> None:
    _, headers = await api.user("alice")
    ids = [(await api.item(headers, f"item {n}"))["id"] for n in range(5)]
    newest_first = list(reversed(ids))
    first = (await api.client.get(ITEMS, params={"limit": 2})).json()
    second = (
        await api.client.get(ITEMS, params={"limit": 2, "cursor": first["next_cursor"]})
    ).json()
    third = (
        await api.client.get(ITEMS, params={"limit": 2, "cursor": second["next_cursor"]})
    ).json()
    pages = [first, second, third]
    assert [item["id"] for page in pages for item in page["data"]] == newest_first
    assert third["next_cursor"] is None
    exact = (await api.client.get(ITEMS, params={"limit": 5})).json()
    assert exact["next_cursor"] is None  # a full last page still says nothing follows
    skipped = (await api.client.get(ITEMS, params={"limit": 2, "skip": 3})).json()
    assert [item["id"] for item in skipped["data"]] == newest_first[3:]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": "ten"},
        {"skip": -1},
        {"skip": 0, "cursor": "abc"},
        {"cursor": "not-a-cursor"},
        {"cursor": ""},
        {"min_price": "abc"},
        {"min_price": -1},
        {"min_price": 5, "max_price": 4},
        {"max_price": "1.005"},
        {"owner_id": 0},
        {"q": "x" * 201},
    ],
)
async def test_bad_listing_parameters_are_422(api: Api, params: dict[str, Any]) -> None:
    assert_problem(await api.client.get(ITEMS, params=params), 422)


async def test_filters(api: Api) -> None:
    alice, alice_headers = await api.user("alice")
    _, bob = await api.user("bob")
    cheap = await api.item(alice_headers, "100% Cotton shirt", 10)
    await api.item(alice_headers, "Cotton balls", 20.01)
    snake = await api.item(bob, "snake_case mug", 20)

    async def ids(**params: Any) -> set[int]:
        page = (await api.client.get(ITEMS, params=params)).json()
        return {item["id"] for item in page["data"]}

    assert await ids(owner_id=alice["id"], max_price=20) == {cheap["id"]}
    assert await ids(q="0% C") == {cheap["id"]}
    assert await ids(q="e_c") == {snake["id"]}
    assert await ids(min_price=10, max_price="20.00") == {cheap["id"], snake["id"]}
    assert await ids(q="") == await ids()


async def test_owner_changes_only_what_is_sent(api: Api) -> None:
    _, headers = await api.user("alice")
    item = await api.item(headers, "Lamp", 10)
    changed = (
        await api.client.patch(f"{ITEMS}/{item['id']}", json={"price": 12.5}, headers=headers)
    ).json()
    assert (changed["title"], changed["price"]) == ("Lamp", 12.5)
    cleared = await api.client.put(
        f"{ITEMS}/{item['id']}", json={"description": None}, headers=headers
    )
    assert cleared.json()["description"] is None


@pytest.mark.parametrize("payload", [{"title": None}, {"price": None}, {"title": ""}, {"owner": 1}])
async def test_invalid_item_updates_are_422(api: Api, payload: dict[str, Any]) -> None:
    _, headers = await api.user("alice")
    item = await api.item(headers)
    assert_problem(
        await api.client.patch(f"{ITEMS}/{item['id']}", json=payload, headers=headers), 422
    )


async def test_other_users_cannot_change_or_delete_and_superusers_can(api: Api) -> None:
    _, admin = await api.user("admin", superuser=True)
    _, alice = await api.user("alice")
    _, bob = await api.user("bob")
    item = await api.item(alice, "Lamp")
    url = f"{ITEMS}/{item['id']}"
    assert_problem(await api.client.patch(url, json={"title": "mine"}, headers=bob), 403)
    assert_problem(await api.client.delete(url, headers=bob), 403)
    assert_problem(await api.client.patch(url, json={"title": "mine"}), 401)
    assert_problem(await api.client.delete(url), 401)
    moderated = (await api.client.patch(url, json={"title": "Moderated"}, headers=admin)).json()
    assert moderated["title"] == "Moderated"
    assert moderated["user_id"] == item["user_id"]
    assert (await api.client.delete(url, headers=admin)).status_code == 204
    assert_problem(await api.client.get(url), 404)


async def test_owner_deletes_and_missing_items_are_404(api: Api) -> None:
    _, headers = await api.user("alice")
    item = await api.item(headers)
    url = f"{ITEMS}/{item['id']}"
    response = await api.client.delete(url, headers=headers)
    assert response.status_code == 204
    assert response.content == b""
    assert_problem(await api.client.delete(url, headers=headers), 404)
    assert_problem(await api.client.patch(url, json={"title": "x"}, headers=headers), 404)

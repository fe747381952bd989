"""Hostile clients (OWASP API Security Top 10, 2023, where it applies to itemhub)."""

from __future__ import annotations

import base64
import json
from typing import Any

import jwt
import pytest

from tests.api.conftest import PASSWORD, SECRET, Api, assert_problem

USERS = "/api/v1/users"
ITEMS = "/api/v1/items"


# API1: broken object level authorization
async def test_another_users_objects_cannot_be_touched(api: Api) -> None:
    victim, victim_headers = await api.user("victim")
    _, attacker = await api.user("attacker")
    item = await api.item(victim_headers)
    for method, path, body in [
        ("GET", f"{USERS}/{victim['id']}", None),
        ("PATCH", f"{USERS}/{victim['id']}", {"email": "attacker2@example.com"}),
        ("PUT", f"{USERS}/{victim['id']}", {"password": "taken over!"}),
        ("DELETE", f"{USERS}/{victim['id']}", None),
        ("PATCH", f"{ITEMS}/{item['id']}", {"price": 0}),
        ("PUT", f"{ITEMS}/{item['id']}", {"title": "defaced"}),
        ("DELETE", f"{ITEMS}/{item['id']}", None),
    ]:
        assert_problem(await api.client.request(method, path, json=body, headers=attacker), 403)
    assert (await api.client.get(f"{ITEMS}/{item['id']}")).json()["price"] == item["price"]
    assert (await api.client.get(f"{USERS}/me", headers=victim_headers)).json() == victim


# API3: broken object property level authorization (mass assignment, excessive exposure)
@pytest.mark.parametrize(
    ("path_kind", "body"),
    [
        ("register", {"is_superuser": True}),
        ("register", {"is_active": False}),
        ("register", {"id": 1}),
        ("register", {"hashed_password": "$2b$04$x"}),
        ("item", {"user_id": 1}),
        ("item", {"id": 99}),
        ("item", {"owner": {"id": 1}}),
        ("item", {"created_at": "2020-01-01T00:00:00Z"}),
    ],
)
async def test_mass_assignment_is_refused(
    api: Api, path_kind: str, body: dict[str, object]
) -> None:
    _, headers = await api.user("alice")
    if path_kind == "register":
        base = {"email": "mallory@example.com", "username": "mallory", "password": PASSWORD}
        response = await api.client.post(USERS, json=base | body)
    else:
        response = await api.client.post(
            ITEMS, json={"title": "x", "price": 1} | body, headers=headers
        )
    assert_problem(response, 422)


async def test_self_promotion_and_reactivation_are_refused(api: Api) -> None:
    me, headers = await api.user("alice")
    for flags in ({"is_superuser": True}, {"is_active": True}):
        assert_problem(
            await api.client.patch(f"{USERS}/{me['id']}", json=flags, headers=headers), 403
        )
    assert (await api.client.get(f"{USERS}/me", headers=headers)).json()["is_superuser"] is False


async def test_no_response_exposes_a_password_or_hash(api: Api) -> None:
    _, admin = await api.user("admin", superuser=True)
    await api.register("alice")
    bodies = [
        (await api.client.get(USERS, headers=admin)).text,
        (await api.client.get(f"{USERS}/me", headers=admin)).text,
        (await api.client.get(ITEMS)).text,
    ]
    assert not any("$2b$" in body or PASSWORD in body or "hashed" in body for body in bodies)


# API2: broken authentication
def _forge(
    claims: dict[str, object], key: str = SECRET, algorithm: str = "HS256"
) -> dict[str, str]:
    return {"Authorization": f"Bearer {jwt.encode(claims, key, algorithm=algorithm)}"}


async def test_forged_and_tampered_tokens_are_refused(api: Api) -> None:
    _, admin = await api.user("admin", superuser=True)
    alice, headers = await api.user("alice")
    token = headers["Authorization"].removeprefix("Bearer ")
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    as_admin = (
        base64.urlsafe_b64encode(json.dumps(claims | {"sub": "1"}).encode()).rstrip(b"=").decode()
    )
    now = claims["iat"]
    attempts = [
        {"Authorization": f"Bearer {header}.{as_admin}.{signature}"},  # payload swapped
        _forge(claims, key="not-the-servers-secret-but-long-enough"),  # another key
        {"Authorization": f"Bearer {jwt.encode(claims | {'sub': '1'}, '', algorithm='none')}"},
        _forge({k: v for k, v in claims.items() if k != "exp"}),  # no expiry
        _forge(claims | {"exp": now - 1}),  # expired
        _forge(claims | {"sid": "B" * 22}),  # a session that does not exist
        _forge(claims | {"sub": "1"}),  # alice's session under the admin's id
        _forge({k: v for k, v in claims.items() if k != "sid"}),  # no session (a v1 token)
        _forge(claims, key=SECRET * 2, algorithm="HS512"),  # an algorithm not pinned
    ]
    for attempt in attempts:
        assert_problem(await api.client.get(f"{USERS}/me", headers=attempt), 401)
    assert (await api.client.get(f"{USERS}/{alice['id']}", headers=admin)).status_code == 200


async def test_a_token_replayed_after_a_password_change_is_refused(api: Api) -> None:
    me, stolen = await api.user("alice")
    change = {"password": "rotated after a leak", "current_password": PASSWORD}
    assert (
        await api.client.patch(f"{USERS}/{me['id']}", json=change, headers=stolen)
    ).status_code == 200
    for method, path in [("GET", f"{USERS}/me"), ("POST", ITEMS), ("DELETE", f"{USERS}/me")]:
        body = {"title": "x", "price": 1} if method == "POST" else None
        assert_problem(await api.client.request(method, path, json=body, headers=stolen), 401)


async def test_brute_force_is_throttled_without_locking_the_owner_out(api: Api) -> None:
    await api.register("alice")
    statuses = []
    for n in range(12):
        form = {"username": "alice", "password": f"guess {n}"}
        statuses.append((await api.client.post("/api/v1/auth/token", data=form)).status_code)
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]


# API4: unrestricted resource consumption
@pytest.mark.parametrize(
    "params",
    [
        {"limit": 10**9},
        {"limit": -1},
        {"skip": 2**31},
        {"skip": 10**30},
        {"q": "x" * 10_000},
        {"cursor": "A" * 10_000},
        {"owner_id": 10**30},
        {"min_price": "1e1000000"},
    ],
)
async def test_oversized_listing_parameters_are_refused(api: Api, params: dict[str, Any]) -> None:
    assert_problem(await api.client.get(ITEMS, params=params), 422)


async def test_deep_skip_within_bounds_is_just_an_empty_page(api: Api) -> None:
    response = await api.client.get(ITEMS, params={"skip": 2**31 - 1})
    assert response.json() == {"data": [], "next_cursor": None}


async def test_a_huge_body_is_refused_before_it_is_parsed(api: Api) -> None:
    _, headers = await api.user("alice")
    nested = b"[" * 600_000 + b"]" * 600_000  # deep nesting, 1.2 MB: cut by the size limit
    response = await api.client.post(
        ITEMS, content=nested, headers=headers | {"content-type": "application/json"}
    )
    assert_problem(response, 413)


async def test_deeply_nested_json_under_the_limit_is_a_422_not_a_crash(api: Api) -> None:
    _, headers = await api.user("alice")
    nested = b"[" * 100_000 + b"]" * 100_000
    response = await api.client.post(
        ITEMS, content=nested, headers=headers | {"content-type": "application/json"}
    )
    assert response.status_code in {400, 422}
    assert response.headers["content-type"] == "application/problem+json"


# Identity spoofing with Unicode
@pytest.mark.parametrize(
    ("email", "username"),
    [
        ("alice@example.com", "alice\u200b"),  # zero-width space
        ("alice@example.com", "\u0430lice"),  # Cyrillic a
        ("alice@example.com", "\uff41\uff4c\uff49\uff43\uff45"),  # full-width alice
        ("alice\uff20example.com", "alice2"),  # full-width at sign
        ("alice@exam\u0440le.com", "alice2"),  # Cyrillic r in the domain
        ("alice\u0301@example.com", "alice2"),  # combining accent
        ("AL\u0130CE@example.com", "alice2"),  # dotted capital I: lower-cases to two characters
    ],
)
async def test_unicode_look_alikes_cannot_shadow_an_account(
    api: Api, email: str, username: str
) -> None:
    await api.register("alice")
    response = await api.client.post(
        USERS, json={"email": email, "username": username, "password": PASSWORD}
    )
    assert response.status_code in {409, 422}
    assert response.headers["content-type"] == "application/problem+json"
    accounts = await api.client.post(
        "/api/v1/auth/token", data={"username": "alice", "password": PASSWORD}
    )
    assert accounts.status_code == 200


async def test_case_variants_of_an_email_or_username_are_the_same_account(api: Api) -> None:
    await api.register("alice")
    for email, username in [("ALICE@EXAMPLE.COM", "bob"), ("carol@example.com", "ALICE")]:
        response = await api.client.post(
            USERS, json={"email": email, "username": username, "password": PASSWORD}
        )
        assert_problem(response, 409)

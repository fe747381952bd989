"""/api/v1/users: registration, one's own account, administration, revocation."""

from __future__ import annotations

import pytest

from tests.api.conftest import PASSWORD, Api, assert_problem

USERS = "/api/v1/users"
READ_FIELDS = {
    "id",
    "email",
    "username",
    "is_active",
    "is_superuser",
    "email_verified",
    "created_at",
    "updated_at",
}


async def test_registration_returns_the_account_and_where_it_lives(api: Api) -> None:
    response = await api.client.post(
        USERS, json={"email": " Alice@Example.COM ", "username": "Alice", "password": PASSWORD}
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == READ_FIELDS
    assert response.headers["location"] == f"{USERS}/{body['id']}"
    assert (body["email"], body["username"], body["is_active"], body["is_superuser"]) == (
        "alice@example.com",
        "Alice",
        True,
        False,
    )
    assert body["created_at"].endswith(("Z", "+00:00"))
    assert PASSWORD not in response.text
    assert "$2b$" not in response.text


@pytest.mark.parametrize(
    ("payload", "taken"),
    [
        ({"email": "ALICE@example.com", "username": "someone"}, "email"),
        ({"email": "someone@example.com", "username": "ALICE"}, "username"),
        ({"email": "alice@example.com", "username": "alice"}, "email"),
    ],
)
async def test_a_taken_email_or_username_is_a_409_naming_which(
    api: Api, payload: dict[str, str], taken: str
) -> None:
    await api.register("alice")
    response = await api.client.post(USERS, json=payload | {"password": PASSWORD})
    body = assert_problem(response, 409)
    assert taken in body["detail"].lower()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "alice@ex\u0430mple.com"}, "email"),  # a Cyrillic look-alike
        ({"username": "al"}, "username"),
        ({"username": "a" * 33}, "username"),
        ({"username": "alice smith"}, "username"),
        ({"password": "short"}, "password"),
        ({"password": "é" * 37}, "password"),  # 37 characters, 74 bytes
        ({"password": 12345678}, "password"),
        ({"is_superuser": True}, "is_superuser"),  # unknown on registration: mass assignment
        ({"id": 1}, "id"),
    ],
)
async def test_invalid_registration_is_a_422_naming_the_field(
    api: Api, payload: dict[str, object], field: str
) -> None:
    valid = {"email": "alice@example.com", "username": "alice", "password": PASSWORD}
    body = assert_problem(await api.client.post(USERS, json=valid | payload), 422)
    assert ["body", field] in [error["loc"] for error in body["errors"]]
    assert all(set(error) == {"loc", "msg", "type"} for error in body["errors"])


async def test_malformed_json_is_a_422(api: Api) -> None:
    response = await api.client.post(
        USERS, content=b'{"email": ', headers={"content-type": "application/json"}
    )
    assert_problem(response, 422)


async def test_me_needs_a_valid_token(api: Api) -> None:
    assert_problem(await api.client.get(f"{USERS}/me"), 401)
    assert_problem(
        await api.client.get(f"{USERS}/me", headers={"Authorization": "Bearer x.y.z"}), 401
    )
    assert_problem(await api.client.get(f"{USERS}/me", headers={"Authorization": "Basic abc"}), 401)
    user, headers = await api.user("alice")
    response = await api.client.get(f"{USERS}/me", headers=headers)
    assert response.status_code == 200
    assert response.json() == user


async def test_deleting_ones_account_takes_its_items_and_its_tokens(api: Api) -> None:
    alice, headers = await api.user("alice")
    _, bob = await api.user("bob")
    await api.item(headers, "alice's")
    kept = await api.item(bob, "bob's")
    assert (await api.client.delete(f"{USERS}/me", headers=headers)).status_code == 204
    assert_problem(await api.client.get(f"{USERS}/me", headers=headers), 401)
    listing = (await api.client.get("/api/v1/items")).json()
    assert [item["id"] for item in listing["data"]] == [kept["id"]]
    assert_problem(
        await api.client.post(
            "/api/v1/auth/token", data={"username": "alice", "password": PASSWORD}
        ),
        401,
    )
    assert alice["id"] not in [item["user_id"] for item in listing["data"]]


async def test_only_superusers_list_users_by_id_with_both_kinds_of_paging(api: Api) -> None:
    _, admin = await api.user("admin", superuser=True)
    _, alice = await api.user("alice")
    for n in range(4):
        await api.register(f"user{n}")
    assert_problem(await api.client.get(USERS, headers=alice), 403)
    assert_problem(await api.client.get(USERS), 401)
    first = (await api.client.get(USERS, params={"limit": 4}, headers=admin)).json()
    assert [u["username"] for u in first["data"]] == ["admin", "alice", "user0", "user1"]
    rest = (
        await api.client.get(USERS, params={"cursor": first["next_cursor"]}, headers=admin)
    ).json()
    assert [u["username"] for u in rest["data"]] == ["user2", "user3"]
    assert rest["next_cursor"] is None
    skipped = (await api.client.get(USERS, params={"skip": 5}, headers=admin)).json()
    assert [u["username"] for u in skipped["data"]] == ["user3"]


async def test_reading_accounts_self_other_and_superuser(api: Api) -> None:
    _, admin = await api.user("admin", superuser=True)
    alice, headers = await api.user("alice")
    bob = await api.register("bob")
    assert (await api.client.get(f"{USERS}/{alice['id']}", headers=headers)).json() == alice
    assert_problem(await api.client.get(f"{USERS}/{bob['id']}", headers=headers), 403)
    assert_problem(await api.client.get(f"{USERS}/999999", headers=headers), 403)
    assert (await api.client.get(f"{USERS}/{bob['id']}", headers=admin)).json() == bob
    assert_problem(await api.client.get(f"{USERS}/999999", headers=admin), 404)
    assert_problem(await api.client.get(f"{USERS}/{bob['id']}"), 401)


@pytest.mark.parametrize("user_id", ["0", str(2**63)])
async def test_a_number_that_cannot_be_an_id_is_a_422(api: Api, user_id: str) -> None:
    _, admin = await api.user("admin", superuser=True)
    assert_problem(await api.client.get(f"{USERS}/{user_id}", headers=admin), 422)


@pytest.mark.parametrize("user_id", ["-1", "abc", "1.5"])
async def test_a_path_that_is_not_a_number_is_no_resource(api: Api, user_id: str) -> None:
    _, admin = await api.user("admin", superuser=True)
    assert_problem(await api.client.get(f"{USERS}/{user_id}", headers=admin), 404)


async def test_wrong_method_on_me_is_405_listing_what_is_allowed(api: Api) -> None:
    _, headers = await api.user("alice")
    response = await api.client.put(f"{USERS}/me", json={}, headers=headers)
    assert_problem(response, 405)
    assert response.headers["allow"] == "DELETE, GET, HEAD"


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
async def test_a_user_changes_own_email_and_username(api: Api, method: str) -> None:
    alice, headers = await api.user("alice")
    change = {"email": "NEW@example.com", "username": "alicia"}
    unconfirmed = await api.client.request(
        method, f"{USERS}/{alice['id']}", json=change, headers=headers
    )
    assert assert_problem(unconfirmed, 400)["type"] == "urn:itemhub:problem:wrong-current-password"
    response = await api.client.request(
        method,
        f"{USERS}/{alice['id']}",
        json=change | {"current_password": PASSWORD},
        headers=headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["email"], body["username"]) == ("new@example.com", "alicia")
    assert body["updated_at"] >= alice["updated_at"]
    assert (await api.client.get(f"{USERS}/me", headers=headers)).json() == body


async def test_changing_to_a_taken_username_is_a_409(api: Api) -> None:
    alice, headers = await api.user("alice")
    await api.register("bob")
    response = await api.client.patch(
        f"{USERS}/{alice['id']}", json={"username": "BOB"}, headers=headers
    )
    assert_problem(response, 409)


async def test_own_password_change_needs_the_current_one_and_revokes_old_tokens(api: Api) -> None:
    alice, old = await api.user("alice")
    url = f"{USERS}/{alice['id']}"
    assert_problem(
        await api.client.patch(url, json={"password": "brand new pass"}, headers=old), 400
    )
    wrong = {"password": "brand new pass", "current_password": "not it"}
    assert_problem(await api.client.patch(url, json=wrong, headers=old), 400)
    right = {"password": "brand new pass", "current_password": PASSWORD}
    assert (await api.client.patch(url, json=right, headers=old)).status_code == 200
    assert_problem(await api.client.get(f"{USERS}/me", headers=old), 401)
    new = await api.login("alice", "brand new pass")
    assert (await api.client.get(f"{USERS}/me", headers=new)).status_code == 200


@pytest.mark.parametrize(
    "flags", [{"is_active": True}, {"is_superuser": False}, {"is_superuser": True}]
)
async def test_account_flags_are_for_superusers_only(api: Api, flags: dict[str, bool]) -> None:
    alice, headers = await api.user("alice")
    assert_problem(
        await api.client.patch(f"{USERS}/{alice['id']}", json=flags, headers=headers), 403
    )


async def test_user_cannot_change_another_account(api: Api) -> None:
    _, headers = await api.user("alice")
    bob = await api.register("bob")
    assert_problem(
        await api.client.patch(f"{USERS}/{bob['id']}", json={"username": "x_y_z"}, headers=headers),
        403,
    )


@pytest.mark.parametrize(
    "payload", [{"email": None}, {"username": None}, {"is_active": "yes"}, {"role": "admin"}]
)
async def test_invalid_updates_are_422(api: Api, payload: dict[str, object]) -> None:
    alice, headers = await api.user("alice")
    assert_problem(
        await api.client.patch(f"{USERS}/{alice['id']}", json=payload, headers=headers), 422
    )


async def test_superuser_deactivates_a_user_whose_token_then_fails(api: Api) -> None:
    _, admin = await api.user("admin", superuser=True)
    bob, headers = await api.user("bob")
    response = await api.client.patch(
        f"{USERS}/{bob['id']}", json={"is_active": False}, headers=admin
    )
    assert response.json()["is_active"] is False
    assert_problem(await api.client.get(f"{USERS}/me", headers=headers), 401)


async def test_superuser_resets_a_password_and_promotes(api: Api) -> None:
    _, admin = await api.user("admin", superuser=True)
    bob = await api.register("bob")
    changes = {"password": "reset by admin", "is_superuser": True}
    response = await api.client.put(f"{USERS}/{bob['id']}", json=changes, headers=admin)
    assert response.json()["is_superuser"] is True
    headers = await api.login("bob", "reset by admin")
    assert (await api.client.get(USERS, headers=headers)).status_code == 200


async def test_superuser_missing_target_is_404(api: Api) -> None:
    _, admin = await api.user("admin", superuser=True)
    assert_problem(
        await api.client.patch(f"{USERS}/999999", json={"username": "ghost"}, headers=admin), 404
    )
    assert_problem(await api.client.delete(f"{USERS}/999999", headers=admin), 404)


async def test_only_superusers_delete_accounts_and_items_go_too(api: Api) -> None:
    _, admin = await api.user("admin", superuser=True)
    bob, bob_headers = await api.user("bob")
    _, alice = await api.user("alice")
    item = await api.item(bob_headers)
    assert_problem(await api.client.delete(f"{USERS}/{bob['id']}", headers=alice), 403)
    assert_problem(await api.client.delete(f"{USERS}/{bob['id']}"), 401)
    assert (await api.client.delete(f"{USERS}/{bob['id']}", headers=admin)).status_code == 204
    assert_problem(await api.client.get(f"/api/v1/items/{item['id']}"), 404)
    assert_problem(await api.client.get(f"{USERS}/me", headers=bob_headers), 401)

"""A stateful model of the HTTP API on SQLite and PostgreSQL.

Hypothesis drives random sequences of requests; a plain-Python model says who exists, who is
active or a superuser, whose token still works and which items exist in which order. Every
status and every listing must agree with it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from dependency_injector import providers
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from adapters.security import BcryptPasswordHasher
from application.use_cases.users import Registration
from domain.values import Email, PlainPassword, Username
from entrypoints.container import Container
from entrypoints.http.app import create_app
from tests.api.conftest import make_settings
from tests.databases import empty_tables, migrated_database

T = TypeVar("T")
EMAILS = st.sampled_from(["ann", "bob", "cat"])
USERNAMES = st.sampled_from(["ann", "ANN", "bob", "Cat", "dan"])
PASSWORDS = st.sampled_from(["first password", "second password"])
PICK = st.integers(min_value=0, max_value=1000)
PRICES = st.decimals(min_value=0, max_value=1000, places=2)


@dataclass
class Person:
    id: int
    email: str
    username: str
    password: str
    active: bool = True
    superuser: bool = False
    deleted: bool = False
    token: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def can_act(self) -> bool:
        return not self.deleted and self.active and self.token is not None


@dataclass
class Thing:
    id: int
    owner_id: int
    price: str
    created_at: datetime


@dataclass
class World:
    people: dict[int, Person] = field(default_factory=dict)
    things: dict[int, Thing] = field(default_factory=dict)

    def live(self) -> list[Person]:
        return [p for p in self.people.values() if not p.deleted]

    def remove(self, person: Person) -> None:
        person.deleted = True
        self.things = {i: t for i, t in self.things.items() if t.owner_id != person.id}


class ApiMachine(RuleBasedStateMachine):
    def __init__(self, database_url: str, hasher: BcryptPasswordHasher) -> None:
        super().__init__()
        self.runner = asyncio.Runner()
        self.container = Container()
        overrides = {
            "login_max_failures_per_account": 10**6,
            "login_max_failures_per_address": 10**6,
        }
        self.container.settings.override(providers.Object(make_settings(database_url, **overrides)))
        self.container.hasher.override(providers.Object(hasher))
        self.run(empty_tables(self.container.engine()))
        transport = httpx.ASGITransport(app=create_app(self.container))
        self.client = httpx.AsyncClient(transport=transport, base_url="http://model.test")
        self.world = World()
        self.steps = 0

    def teardown(self) -> None:
        self.run(self.client.aclose())
        self.run(self.container.engine().dispose())
        self.runner.close()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coroutine)

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        self.steps += 1
        response = self.run(self.client.request(method, path, **kwargs))
        assert response.status_code < 500, response.text
        return response

    def pick(self, pick: int) -> Person:
        people = sorted(self.world.people.values(), key=lambda p: p.id)
        return people[pick % len(people)]

    def actor(self, pick: int) -> Person | None:
        """Someone whose latest token the API must accept, or None (after checking it refuses)."""
        person = self.pick(pick)
        if person.token is None:
            return None
        status = self.call("GET", "/api/v1/users/me", headers=person.headers).status_code
        assert status == (200 if person.can_act else 401)
        return person if person.can_act else None

    def login(self, person: Person) -> None:
        form = {"username": person.username, "password": person.password}
        response = self.call("POST", "/api/v1/auth/token", data=form)
        assert response.status_code == 200, response.text
        person.token = response.json()["access_token"]

    @rule(email=EMAILS, username=USERNAMES, password=PASSWORDS)
    def register(self, email: str, username: str, password: str) -> None:
        body = {"email": f"{email}@example.com", "username": username, "password": password}
        response = self.call("POST", "/api/v1/users", json=body)
        live = self.world.live()
        if any(p.email == email for p in live) or any(
            p.username.lower() == username.lower() for p in live
        ):
            assert response.status_code == 409
            return
        assert response.status_code == 201
        person = Person(response.json()["id"], email, username, password)
        self.world.people[person.id] = person
        self.login(person)

    @precondition(lambda self: self.world.people)
    @rule(pick=PICK, right=st.booleans())
    def log_in(self, pick: int, right: bool) -> None:
        person = self.pick(pick)
        holder = next(
            (p for p in self.world.live() if p.username.lower() == person.username.lower()), None
        )
        password = person.password if right else "wrong guess"
        ok = holder is not None and holder.active and holder.password == password
        response = self.call(
            "POST", "/api/v1/auth/token", data={"username": person.username, "password": password}
        )
        assert response.status_code == (200 if ok else 401)
        if ok and holder is not None:
            holder.token = response.json()["access_token"]

    @precondition(lambda self: self.world.people)
    @rule(pick=PICK)
    def promote(self, pick: int) -> None:
        person = self.pick(pick)
        if person.deleted:
            return
        registration = Registration(
            Email(f"{person.email}@example.com"),
            Username(person.username),
            PlainPassword(person.password),
        )
        self.run(self.container.create_superuser()(registration))
        person.superuser = person.active = True

    @precondition(lambda self: self.world.people)
    @rule(actor_pick=PICK, target_pick=PICK, active=st.booleans())
    def set_active(self, actor_pick: int, target_pick: int, active: bool) -> None:
        who, whom = self.actor(actor_pick), self.pick(target_pick)
        if who is None:
            return
        status = self.call(
            "PATCH", f"/api/v1/users/{whom.id}", json={"is_active": active}, headers=who.headers
        ).status_code
        expected = 403 if not who.superuser else 404 if whom.deleted else 200
        assert status == expected
        if status == 200:
            whom.active = active

    @precondition(lambda self: self.world.people)
    @rule(pick=PICK, new=PASSWORDS, confirm=st.booleans())
    def change_password(self, pick: int, new: str, confirm: bool) -> None:
        person = self.actor(pick)
        if person is None:
            return
        body = {
            "password": new,
            "current_password": person.password if confirm else "a wrong guess",
        }
        status = self.call(
            "PATCH", f"/api/v1/users/{person.id}", json=body, headers=person.headers
        ).status_code
        assert status == (200 if confirm else 400)
        if confirm:
            old = person.headers
            person.password = new
            assert self.call("GET", "/api/v1/users/me", headers=old).status_code == 401
            self.login(person)

    @precondition(lambda self: self.world.people)
    @rule(actor_pick=PICK, target_pick=PICK, own=st.booleans())
    def delete_account(self, actor_pick: int, target_pick: int, own: bool) -> None:
        who = self.actor(actor_pick)
        if who is None:
            return
        if own:
            assert self.call("DELETE", "/api/v1/users/me", headers=who.headers).status_code == 204
            self.world.remove(who)
            return
        whom = self.pick(target_pick)
        status = self.call("DELETE", f"/api/v1/users/{whom.id}", headers=who.headers).status_code
        assert status == (403 if not who.superuser else 404 if whom.deleted else 204)
        if status == 204:
            self.world.remove(whom)

    @precondition(lambda self: self.world.people)
    @rule(pick=PICK, price=PRICES)
    def create_item(self, pick: int, price: Any) -> None:
        person = self.actor(pick)
        if person is None:
            return
        body = {"title": f"thing {self.steps}", "price": float(price)}
        response = self.call("POST", "/api/v1/items", json=body, headers=person.headers)
        assert response.status_code == 201
        item = response.json()
        created = datetime.fromisoformat(item["created_at"])
        self.world.things[item["id"]] = Thing(item["id"], person.id, str(price), created)

    @precondition(lambda self: self.world.people and self.world.things)
    @rule(actor=PICK, item=PICK, price=PRICES, delete=st.booleans())
    def change_or_delete_item(self, actor: int, item: int, price: Any, delete: bool) -> None:
        who = self.actor(actor)
        things = sorted(self.world.things.values(), key=lambda t: t.id)
        thing = things[item % len(things)]
        if who is None:
            return
        allowed = who.superuser or who.id == thing.owner_id
        if delete:
            status = self.call(
                "DELETE", f"/api/v1/items/{thing.id}", headers=who.headers
            ).status_code
            assert status == (204 if allowed else 403)
            if allowed:
                del self.world.things[thing.id]
        else:
            body = {"price": float(price)}
            status = self.call(
                "PATCH", f"/api/v1/items/{thing.id}", json=body, headers=who.headers
            ).status_code
            assert status == (200 if allowed else 403)
            if allowed:
                thing.price = str(price)

    @invariant()
    def listing_agrees_page_by_page(self) -> None:
        expected = sorted(
            self.world.things.values(), key=lambda t: (t.created_at, t.id), reverse=True
        )
        seen: list[dict[str, Any]] = []
        params: dict[str, Any] = {"limit": 3}
        while True:
            page = self.call("GET", "/api/v1/items", params=params).json()
            seen += page["data"]
            if page["next_cursor"] is None:
                break
            params = {"limit": 3, "cursor": page["next_cursor"]}
        assert [item["id"] for item in seen] == [t.id for t in expected]
        for shown, thing in zip(seen, expected, strict=True):
            assert float(shown["price"]) == float(thing.price)
            assert shown["owner"]["username"] == self.world.people[thing.owner_id].username


@pytest.fixture(params=["sqlite", "postgres"])
def model_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    url = migrated_database(request.param, request, tmp_path)
    assert url is not None
    return url


def test_the_api_agrees_with_the_model(model_database: str, hasher: BcryptPasswordHasher) -> None:
    class Machine(ApiMachine):
        def __init__(self) -> None:
            super().__init__(model_database, hasher)

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=25,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )

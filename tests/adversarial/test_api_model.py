"""The HTTP API, on SQLite and PostgreSQL, agrees with the reference model (tests/model.py).

Hypothesis drives random sequences of requests through the same machine the use cases run;
every status and every listing must be what the model says.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from dependency_injector import providers
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from adapters.clock import FrozenClock
from adapters.security import BcryptPasswordHasher
from adapters.sql import SqlDatabase
from application.use_cases.users import Registration
from domain.values import Email, PlainPassword, Username
from entrypoints.container import Container, shutdown
from entrypoints.http.app import create_app
from tests.api.conftest import api_container
from tests.databases import empty_tables, migrated_database
from tests.model import Listed, Outcome, Person, RulesMachine
from tests.unit.core import START

STATUSES = {
    200: Outcome.OK,
    201: Outcome.OK,
    204: Outcome.OK,
    400: Outcome.WRONG_CURRENT_PASSWORD,
    403: Outcome.FORBIDDEN,
    404: Outcome.NOT_FOUND,
}
CONFLICTS = {
    "email-taken": Outcome.EMAIL_TAKEN,
    "username-taken": Outcome.USERNAME_TAKEN,
    "last-superuser": Outcome.LAST_SUPERUSER,
}


def outcome_of(response: httpx.Response) -> Outcome:
    if response.status_code == 409:
        return CONFLICTS[response.json()["type"].rsplit(":", 1)[1]]
    return STATUSES[response.status_code]


USERS = "/api/v1/users"
ITEMS = "/api/v1/items"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class HttpDriver:
    """Each action as a client does it, over ASGI; the clock is frozen so time is the model's."""

    def __init__(self, container: Container, clock: FrozenClock) -> None:
        self.container = container
        self.clock = clock
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(container)), base_url="http://model.test"
        )

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = await self.client.request(method, path, **kwargs)
        assert response.status_code < 500, response.text
        return response

    async def outcome(self, method: str, path: str, **kwargs: Any) -> Outcome:
        return outcome_of(await self.call(method, path, **kwargs))

    async def register(self, person: Person) -> tuple[Outcome, int | None]:
        body = {"email": person.address, "username": person.username, "password": person.password}
        response = await self.call("POST", USERS, json=body)
        if response.status_code != 201:
            return outcome_of(response), None
        return Outcome.OK, response.json()["id"]

    async def login(self, login: str, password: str) -> tuple[Outcome, str | None]:
        form = {"username": login, "password": password}
        response = await self.call("POST", "/api/v1/auth/token", data=form)
        if response.status_code == 401:
            return Outcome.INVALID_CREDENTIALS, None
        assert response.status_code == 200, response.text
        return Outcome.OK, response.json()["access_token"]

    async def who_am_i(self, token: str) -> tuple[Outcome, int | None]:
        response = await self.call("GET", f"{USERS}/me", headers=bearer(token))
        if response.status_code == 401:
            return Outcome.NOT_AUTHENTICATED, None
        return Outcome.OK, response.json()["id"]

    async def promote(self, person: Person) -> None:
        registration = Registration(
            Email(person.address), Username(person.username), PlainPassword(person.password)
        )
        assert not (await self.container.create_superuser()(registration)).created

    async def _patch_user(self, token: str, user_id: int, body: dict[str, Any]) -> Outcome:
        return await self.outcome("PATCH", f"{USERS}/{user_id}", json=body, headers=bearer(token))

    async def set_active(self, token: str, target_id: int, active: bool) -> Outcome:
        return await self._patch_user(token, target_id, {"is_active": active})

    async def view(self, token: str, target_id: int) -> Outcome:
        return await self.outcome("GET", f"{USERS}/{target_id}", headers=bearer(token))

    async def rename(self, token: str, target_id: int, username: str) -> Outcome:
        body = {"username": username}
        return await self.outcome("PATCH", f"{USERS}/{target_id}", json=body, headers=bearer(token))

    async def change_password(self, token: str, user_id: int, new: str, current: str) -> Outcome:
        return await self._patch_user(
            token, user_id, {"password": new, "current_password": current}
        )

    async def delete_own_account(self, token: str) -> Outcome:
        return await self.outcome("DELETE", f"{USERS}/me", headers=bearer(token))

    async def delete_user(self, token: str, target_id: int) -> Outcome:
        return await self.outcome("DELETE", f"{USERS}/{target_id}", headers=bearer(token))

    async def create_item(self, token: str, title: str, price: Decimal) -> tuple[int, datetime]:
        body = {"title": title, "price": float(price)}
        response = await self.call("POST", ITEMS, json=body, headers=bearer(token))
        assert response.status_code == 201, response.text
        item = response.json()
        return item["id"], datetime.fromisoformat(item["created_at"])

    async def reprice_item(self, token: str, item_id: int, price: Decimal) -> Outcome:
        body = {"price": float(price)}
        return await self.outcome("PATCH", f"{ITEMS}/{item_id}", json=body, headers=bearer(token))

    async def delete_item(self, token: str, item_id: int) -> Outcome:
        return await self.outcome("DELETE", f"{ITEMS}/{item_id}", headers=bearer(token))

    async def item_exists(self, item_id: int) -> bool:
        return (await self.call("GET", f"{ITEMS}/{item_id}")).status_code == 200

    async def listing(self, page_size: int) -> list[Listed]:
        listed: list[Listed] = []
        params: dict[str, Any] = {"limit": page_size}
        while True:
            page = (await self.call("GET", ITEMS, params=params)).json()
            listed += [
                Listed(item["id"], Decimal(str(item["price"])), item["owner"]["username"])
                for item in page["data"]
            ]
            if page["next_cursor"] is None:
                return listed
            params = {"limit": page_size, "cursor": page["next_cursor"]}

    async def time_passes(self, seconds: int) -> None:
        self.clock.advance(timedelta(seconds=seconds))


@pytest.fixture(params=["sqlite", "postgres"])
def model_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    url = migrated_database(request.param, request, tmp_path)
    assert url is not None
    return url


def test_the_api_agrees_with_the_model(model_database: str, hasher: BcryptPasswordHasher) -> None:
    class Machine(RulesMachine):
        def __init__(self) -> None:
            runner = asyncio.Runner()
            container = api_container(
                model_database,
                hasher,
                # Throttling has its own tests; here it would only turn valid logins into 429s.
                login_max_failures_per_account=10**6,
                login_max_failures_per_address=10**6,
            )
            clock = FrozenClock(START)
            container.clock.override(providers.Object(clock))
            database = container.database()
            assert isinstance(database, SqlDatabase)
            runner.run(empty_tables(database.engine))
            super().__init__(HttpDriver(container, clock), runner)

        def teardown(self) -> None:
            driver = self.driver
            assert isinstance(driver, HttpDriver)
            self.run(driver.client.aclose())
            self.run(shutdown(driver.container))
            self.runner.close()

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=25,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )

"""The app under test: one container per test, its persistence memory, SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from dependency_injector import providers
from fastapi import FastAPI
from pydantic import SecretStr

from adapters.clock import FrozenClock
from adapters.security import BcryptPasswordHasher
from adapters.sql import SqlDatabase
from application.use_cases.users import Registration
from domain.values import Email, PlainPassword, Username
from entrypoints.container import Container, shutdown
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.databases import empty_tables, migrated_database

SECRET = "api-tests-only-secret-key-0123456789abcdef"
PASSWORD = "correct horse battery"
CLIENT = ("198.51.100.10", 50000)


@dataclass
class Api:
    client: httpx.AsyncClient
    container: Container
    app: FastAPI

    def client_from(self, address: str) -> httpx.AsyncClient:
        """Another client of the same app, connecting from `address`."""
        transport = httpx.ASGITransport(app=self.app, client=(address, 50001))
        return httpx.AsyncClient(transport=transport, base_url="http://itemhub.test")

    async def register(self, name: str, password: str = PASSWORD) -> dict[str, Any]:
        response = await self.client.post(
            "/api/v1/users",
            json={"email": f"{name}@example.com", "username": name, "password": password},
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def token(self, login: str, password: str = PASSWORD) -> str:
        response = await self.client.post(
            "/api/v1/auth/token", data={"username": login, "password": password}
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    async def login(self, login: str, password: str = PASSWORD) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token(login, password)}"}

    async def user(
        self, name: str, *, superuser: bool = False
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """A registered user or, as `itemhub create-superuser` makes one, a superuser."""
        if superuser:
            create = self.container.create_superuser()
            result = await create(
                Registration(Email(f"{name}@example.com"), Username(name), PlainPassword(PASSWORD))
            )
            body = (
                await self.client.get("/api/v1/users/me", headers=await self.login(name))
            ).json()
            assert body["id"] == result.user.id
            return body, await self.login(name)
        return await self.register(name), await self.login(name)

    async def item(
        self, headers: dict[str, str], title: str = "Lamp", price: object = 10
    ) -> dict[str, Any]:
        response = await self.client.post(
            "/api/v1/items", json={"title": title, "price": price}, headers=headers
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    return migrated_database(request.param, request, tmp_path)


def make_settings(database_url: str | None, **overrides: Any) -> Settings:
    """`None` is the in-memory adapter."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url or "memory://",
        secret_key=SecretStr(SECRET),
        bcrypt_rounds=4,
        mail_url="memory://",
        # Tests register many accounts from one address; the limit has tests of its own.
        **({"registrations_per_address_per_hour": 10**6} | overrides),
    )


async def build_api(
    backend: str | None,
    hasher: BcryptPasswordHasher,
    client_address: tuple[str, int] = CLIENT,
    *,
    reset: bool = True,
    clock: FrozenClock | None = None,
    **overrides: Any,
) -> AsyncGenerator[Api, None]:
    container = api_container(backend, hasher, **overrides)
    if clock is not None:
        container.clock.override(providers.Object(clock))
    database = container.database()
    if reset and isinstance(database, SqlDatabase):
        await empty_tables(database.engine)
    app = create_app(container)
    transport = httpx.ASGITransport(app=app, client=client_address)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://itemhub.test") as client:
            yield Api(client, container, app)
    finally:  # what the app's lifespan does (ASGITransport runs no lifespan)
        await shutdown(container)


def api_container(backend: str | None, hasher: BcryptPasswordHasher, **overrides: Any) -> Container:
    container = Container()
    container.settings.override(providers.Object(make_settings(backend, **overrides)))
    container.hasher.override(providers.Object(hasher))
    return container


@pytest.fixture
async def api(backend: str | None, hasher: BcryptPasswordHasher) -> AsyncIterator[Api]:
    async for each in build_api(backend, hasher):
        yield each


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """An RFC 9457 body with the contract's four fields, and nothing secret in it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert isinstance(body["type"], str)
    assert isinstance(body["title"], str)
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert "Traceback" not in response.text
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"
    return body

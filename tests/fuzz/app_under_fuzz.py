"""An itemhub app on the in-memory adapter with two known identities, reset before each case."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from decimal import Decimal

from dependency_injector import providers
from fastapi import FastAPI
from pydantic import SecretStr

from adapters.memory import InMemoryDatabase
from application.use_cases.auth import Credentials
from application.use_cases.users import Registration
from domain.item import ItemDetails
from domain.values import Email, PlainPassword, Price, Title, Username
from entrypoints.container import Container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings

# `make fuzz` raises this for a long run; `make test` keeps the bounded default.
EXAMPLES = int(os.environ.get("ITEMHUB_FUZZ_EXAMPLES", "25"))
PASSWORD = "fuzzing password"


@dataclass
class FuzzTarget:
    app: FastAPI
    container: Container
    database: InMemoryDatabase
    headers: dict[str, dict[str, str]]

    def reset(self) -> None:
        """Empty the store and make a user, a superuser and one item anew, with fresh tokens."""
        self.database.state.users.clear()
        self.database.state.items.clear()
        self.headers = asyncio.run(_populate(self.container))


async def _populate(container: Container) -> dict[str, dict[str, str]]:
    headers = {}
    for role, superuser in (("user", False), ("superuser", True)):
        registration = Registration(
            Email(f"{role}@example.com"), Username(role), PlainPassword(PASSWORD)
        )
        if superuser:
            user = (await container.create_superuser()(registration)).user
        else:
            user = await container.register_user()(registration, "fuzz")
        issued = await container.authenticate()(Credentials(role, PASSWORD, f"fuzz-{role}"))
        headers[role] = {"Authorization": f"Bearer {issued.access_token}"}
        details = ItemDetails(title=Title(f"{role}'s lamp"), price=Price(Decimal("9.99")))
        await container.create_item()(user, details)
    return headers


def fuzz_target() -> FuzzTarget:
    container = Container()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        secret_key=SecretStr("fuzz-only-secret-key-0123456789abcdef"),
        bcrypt_rounds=4,
        database_url="memory://",
        # Throttling has its own tests; here it would only turn valid logins into 429s.
        login_max_failures_per_account=1_000_000,
        login_max_failures_per_address=1_000_000,
        registrations_per_address_per_hour=1_000_000,
    )
    container.settings.override(providers.Object(settings))
    database = container.database()
    assert isinstance(database, InMemoryDatabase)
    target = FuzzTarget(create_app(container), container, database, {})
    target.reset()
    return target

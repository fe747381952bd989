"""Schemathesis once over a real server: `itemhub serve` on a migrated SQLite file, on loopback."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok

from tests.e2e.processes import itemhub, running_server
from tests.fuzz.app_under_fuzz import PASSWORD
from tests.fuzz.test_openapi_fuzz import excluded_for

EXAMPLES = 10


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("served")
    env = {
        "ITEMHUB_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'fuzz.db'}",
        "ITEMHUB_BCRYPT_ROUNDS": "4",
        "ITEMHUB_LOGIN_MAX_FAILURES_PER_ACCOUNT": "1000000",
        "ITEMHUB_LOGIN_MAX_FAILURES_PER_ADDRESS": "1000000",
        "ITEMHUB_REGISTRATIONS_PER_ADDRESS_PER_HOUR": "1000000",
    }
    assert itemhub("migrate", cwd=folder, env=env).returncode == 0
    with running_server(env, folder) as url:
        yield url


def fresh_headers(base_url: str) -> dict[str, str]:
    """A new account per case, so no earlier case's deletion or password change gets in the way."""
    name = f"u{uuid.uuid4().hex[:12]}"
    account = {"email": f"{name}@example.com", "username": name, "password": PASSWORD}
    assert httpx.post(f"{base_url}/api/v1/users", json=account).status_code == 201
    token = httpx.post(
        f"{base_url}/api/v1/auth/token", data={"username": name, "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def test_the_served_api_conforms(base_url: str) -> None:
    """Every operation over real HTTP (schemathesis's pytest plugin fails on pytest 9, so each
    operation's strategy is run here directly)."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert len(operations) == 27  # also fails if an operation could not be loaded
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
        def conforms(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(
                headers=fresh_headers(base_url), excluded_checks=excluded_for(case)
            )

        conforms()

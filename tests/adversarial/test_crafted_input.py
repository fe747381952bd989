"""Nothing a client puts in a query string reaches a 500, on any database (OWASP API8,
security misconfiguration; API4). Some cursors the service could not have issued, and
control characters in query values, gave 500s on SQLite or PostgreSQL; hypothesis now sends
arbitrary values, and forged cursors built from plausible parts, to every adapter."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.security import BcryptPasswordHasher
from tests.api.conftest import Api, build_api
from tests.databases import migrated_database

T = TypeVar("T")
EXAMPLES = 60

texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40
) | st.sampled_from(["\x00", "lamp\x00", "%", "_", "\\", "'; drop table items; --", "\u202e"])
numbers = st.integers(min_value=-(2**80), max_value=2**80)
moments = st.sampled_from(
    [
        "0001-01-01T00:00:00+00:00",
        "9999-12-31T23:59:59.999999+00:00",
        "2026-01-01T00:00:00+14:00",
        "2026-01-01T00:00:00-12:00",
        "2026-01-01T00:00:00",
        "not a time",
        "",
    ]
)


def forged(parts: list[Any]) -> str:
    raw = json.dumps(parts, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


cursors = (
    texts
    | st.builds(lambda when, n: forged(["items", when, n]), moments, numbers)
    | st.builds(lambda n: forged(["users", n]), numbers)
    | st.builds(lambda value: forged(["items", value, value]), st.none() | st.booleans())
)
queries = st.fixed_dictionaries(
    {},
    optional={
        "q": texts,
        "cursor": cursors,
        "limit": numbers.map(str) | texts,
        "skip": numbers.map(str) | texts,
        "owner_id": numbers.map(str) | texts,
        "min_price": texts | st.sampled_from(["1e400", "-0", "NaN", "0.001", "1000000000.01"]),
        "max_price": texts,
    },
)


class Served:
    """One app for all of a test's examples, on its own event loop (hypothesis calls the test
    function once per example; building the app each time would dominate)."""

    def __init__(self, backend: str | None, hasher: BcryptPasswordHasher) -> None:
        self._runner = asyncio.Runner()
        self._apps = build_api(backend, hasher)
        self.api: Api = self.run(anext(self._apps))
        self.admin = self.run(self.api.user("admin", superuser=True))[1]

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self._runner.run(coroutine)

    def get(self, path: str, params: dict[str, str]) -> httpx.Response:
        return self.run(self.api.client.get(path, params=params, headers=self.admin))

    def close(self) -> None:
        self.run(self._apps.aclose())
        self._runner.close()


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def served(
    request: pytest.FixtureRequest, tmp_path: Path, hasher: BcryptPasswordHasher
) -> Iterator[Served]:
    served = Served(migrated_database(request.param, request, tmp_path), hasher)
    yield served
    served.close()


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(params=queries)
def test_any_listing_query_is_answered_without_a_500(
    served: Served, params: dict[str, str]
) -> None:
    for path in ("/api/v1/items", "/api/v1/users"):
        response = served.get(path, params)
        assert response.status_code in (200, 422), (path, params, response.text)
        if response.status_code == 422:
            assert response.headers["content-type"] == "application/problem+json"

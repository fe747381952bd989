"""What every response shares: problem details, request ids, body limit, health, OpenAPI."""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from dependency_injector import providers

from adapters.security import BcryptPasswordHasher
from domain.errors import DomainError, InvalidValue
from entrypoints.http.app import create_app
from entrypoints.http.problems import problem_type_of
from tests.api.conftest import Api, api_container, assert_problem, build_api


def every_subclass(cls: type[DomainError]) -> set[type[DomainError]]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= every_subclass(sub)
    return found


def test_every_domain_error_has_a_status() -> None:
    """Invalid values have their own handler: a 422 listing the field."""
    answered = every_subclass(DomainError) - every_subclass(InvalidValue) - {InvalidValue}
    unmapped = [cls.__name__ for cls in answered if problem_type_of(cls) is None]
    assert not unmapped


async def test_unknown_routes_and_methods_are_problems(api: Api) -> None:
    assert_problem(await api.client.get("/api/v1/nothing-here"), 404)
    response = await api.client.delete("/health")
    assert_problem(response, 405)
    assert response.headers["allow"] == "GET, HEAD"
    both = await api.client.request("OPTIONS", "/api/v1/users")
    assert_problem(both, 405)
    assert both.headers["allow"] == "GET, HEAD, POST"  # both routes at that path, not the first


async def test_a_body_that_is_not_utf8_is_a_422(api: Api) -> None:
    _, headers = await api.user("alice")
    response = await api.client.post(
        "/api/v1/items", content=b"\xff\xfe", headers=headers | {"content-type": "application/json"}
    )
    assert_problem(response, 422)


async def test_request_id_is_echoed_or_generated(api: Api) -> None:
    echoed = await api.client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    generated = await api.client.get("/api/v1/items/999999")
    assert len(generated.headers["x-request-id"]) == 32
    forged = await api.client.get("/health", headers={"X-Request-ID": "x\tlevel=error"})
    assert forged.headers["x-request-id"] != "x\tlevel=error"


async def test_bodies_over_one_mebibyte_are_413(api: Api) -> None:
    _, headers = await api.user("alice")
    big = b'{"title": "x", "price": 1, "description": "' + b"x" * (1024 * 1024) + b'"}'
    response = await api.client.post(
        "/api/v1/items", content=big, headers=headers | {"content-type": "application/json"}
    )
    assert_problem(response, 413)
    assert response.headers["x-request-id"]

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b"x" * 65536

    streamed = await api.client.post(
        "/api/v1/items", content=chunks(), headers=headers | {"content-type": "application/json"}
    )
    assert_problem(streamed, 413)
    page = (await api.client.get("/api/v1/items")).json()
    assert page["data"] == []


async def test_health_does_not_need_the_database_and_ready_checks_it(api: Api) -> None:
    assert (await api.client.get("/health")).json() == {"status": "ok"}
    assert (await api.client.get("/health/ready")).json() == {"status": "ok"}


@pytest.fixture
async def unreachable_api(hasher: BcryptPasswordHasher) -> AsyncIterator[Api]:
    async for each in build_api(
        "postgresql+asyncpg://itemhub@127.0.0.1:9/itemhub",
        hasher,
        reset=False,
        db_connect_timeout_seconds=1,
    ):
        yield each


async def test_without_a_database_ready_and_requests_are_503_and_health_is_200(
    unreachable_api: Api,
) -> None:
    api = unreachable_api
    assert (await api.client.get("/health")).status_code == 200
    assert_problem(await api.client.get("/health/ready"), 503)
    for response in [
        await api.client.get("/api/v1/items"),
        await api.client.get("/api/v1/items/1"),
        await api.client.post(
            "/api/v1/users",
            json={"email": "a@example.com", "username": "alice", "password": "long enough"},
        ),
        await api.client.post("/api/v1/auth/token", data={"username": "alice", "password": "b"}),
    ]:
        assert_problem(response, 503)
        assert response.headers["retry-after"] == "5"


async def test_an_unexpected_error_is_a_logged_500_problem(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> Any:
        raise RuntimeError("a bug nobody expected")

    api.container.list_items.override(providers.Callable(broken))
    with caplog.at_level(logging.ERROR, logger="itemhub.http"):
        response = await api.client.get("/api/v1/items", headers={"X-Request-ID": "req-500"})
    body = assert_problem(response, 500)
    assert "a bug nobody expected" not in response.text
    assert body["detail"] == "The server failed to handle this request."
    assert response.headers["x-request-id"] == "req-500"
    assert any("req-500" in record.getMessage() for record in caplog.records)


async def test_access_log_has_one_line_per_request_without_secrets(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    await api.register("alice")
    with caplog.at_level(logging.INFO, logger="itemhub.access"):
        await api.client.post(
            "/api/v1/auth/token", data={"username": "alice", "password": "hunter2-secret"}
        )
        await api.client.get("/api/v1/items", headers={"Authorization": "Bearer not-logged"})
    lines = [r.getMessage() for r in caplog.records if r.name == "itemhub.access"]
    assert len(lines) == 2
    assert lines[0].startswith("method=POST path=/api/v1/auth/token status=401 duration_ms=")
    assert all("request_id=" in line for line in lines)
    assert not any("hunter2" in line or "not-logged" in line for line in lines)


async def test_cors_allows_configured_origins_only(hasher: BcryptPasswordHasher) -> None:
    async for api in build_api(None, hasher, cors_origins=["https://app.example"]):
        preflight = {"Origin": "https://app.example", "Access-Control-Request-Method": "POST"}
        allowed = await api.client.options("/api/v1/items", headers=preflight)
        assert allowed.headers["access-control-allow-origin"] == "https://app.example"
        other = await api.client.get("/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


@pytest.fixture
async def openapi(api: Api) -> dict[str, Any]:
    response = await api.client.get("/openapi.json")
    assert response.status_code == 200
    schema: dict[str, Any] = response.json()
    return schema


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]


async def test_operation_ids_are_unique(openapi: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _, _, operation in operations(openapi)]
    assert len(ids) == len(set(ids)) == 27


async def test_errors_are_documented_as_problems(openapi: dict[str, Any]) -> None:
    for path, method, operation in operations(openapi):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert list(response["content"]) == ["application/problem+json"], (
                    path,
                    method,
                    status,
                )
                ref = response["content"]["application/problem+json"]["schema"]["$ref"]
                expected = "ValidationProblem" if status == "422" else "Problem"
                if path == "/api/v1/auth/token" and status in {"400", "401", "422"}:
                    expected = f"OAuth{expected}"  # with the RFC 6749 `error` code
                assert ref.endswith(f"/{expected}"), (path, method, status)
    assert "HTTPValidationError" not in openapi["components"]["schemas"]


async def test_every_schema_in_the_document_is_used(openapi: dict[str, Any]) -> None:
    """No stray schemas: each component is referenced by an operation or another schema."""
    text = json.dumps({**openapi, "components": {**openapi["components"], "schemas": {}}})
    schemas = openapi["components"]["schemas"]
    referenced = {name for name in schemas if f'"#/components/schemas/{name}"' in text}
    while True:
        inner = json.dumps([schemas[name] for name in referenced])
        more = {name for name in schemas if f'"#/components/schemas/{name}"' in inner}
        if more <= referenced:
            break
        referenced |= more
    assert set(schemas) == referenced


async def test_each_problem_status_has_examples_of_that_status(openapi: dict[str, Any]) -> None:
    for path, method, operation in operations(openapi):
        for status, response in operation["responses"].items():
            if not status.startswith(("4", "5")):
                continue
            examples = response["content"]["application/problem+json"]["examples"]
            assert examples, (path, method, status)
            for example in examples.values():
                assert example["value"]["status"] == int(status), (path, method, status)
                assert example["value"]["type"].startswith("urn:itemhub:problem:")
    item_404 = openapi["paths"]["/api/v1/items/{item_id}"]["get"]["responses"]["404"]
    assert list(item_404["content"]["application/problem+json"]["examples"]) == ["item-not-found"]


async def test_every_operation_has_its_own_summary(openapi: dict[str, Any]) -> None:
    summaries = [operation["summary"] for _, _, operation in operations(openapi)]
    assert len(summaries) == len(set(summaries))


async def test_contract_statuses_are_documented(openapi: dict[str, Any]) -> None:
    def statuses(path: str, method: str) -> set[str]:
        return set(openapi["paths"][path][method]["responses"])

    assert {"200", "401", "422", "429"} <= statuses("/api/v1/auth/token", "post")
    assert {"201", "409", "422"} <= statuses("/api/v1/users", "post")
    assert {"200", "400", "401", "403", "404", "409", "422"} <= statuses(
        "/api/v1/users/{user_id}", "patch"
    )
    assert {"204", "401", "403", "404"} <= statuses("/api/v1/items/{item_id}", "delete")
    assert {"200", "503"} <= statuses("/health/ready", "get")


async def test_security_scheme_and_date_times(openapi: dict[str, Any]) -> None:
    schemes = openapi["components"]["securitySchemes"]
    assert any(s["type"] == "oauth2" and "password" in s["flows"] for s in schemes.values())
    me = openapi["paths"]["/api/v1/users/me"]["get"]
    assert me["security"]
    user = openapi["components"]["schemas"]["UserRead"]["properties"]
    assert user["created_at"]["format"] == "date-time"
    assert openapi["components"]["schemas"]["ItemRead"]["properties"]["price"]["type"] == "number"


async def test_docs_page_is_served(api: Api) -> None:
    response = await api.client.get("/docs")
    assert response.status_code == 200
    assert "swagger" in response.text.lower()


async def test_request_bodies_carry_examples(openapi: dict[str, Any]) -> None:
    for name in ("UserCreate", "ItemCreate", "UserUpdate", "ItemUpdate"):
        assert openapi["components"]["schemas"][name].get("examples"), name


async def test_the_app_freezes_its_start_up_objects_while_it_serves(
    hasher: BcryptPasswordHasher,
) -> None:
    """Frozen objects are skipped by the cyclic collector, whose full collections otherwise
    paused every request for ~60 ms twice a second under load."""
    app = create_app(api_container(None, hasher))
    assert gc.get_freeze_count() == 0
    async with app.router.lifespan_context(app):
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


async def test_the_docs_read_well_for_a_newcomer(openapi: dict[str, Any]) -> None:
    """Every operation says what it does; tags come in the order a newcomer needs them; the
    intro, which ReDoc shows too, sends nobody to a button ReDoc lacks."""
    for path, method, operation in operations(openapi):
        assert operation.get("description", "").strip(), (method, path)
    assert [tag["name"] for tag in openapi["tags"]] == [
        "auth",
        "users",
        "sessions",
        "items",
        "health",
    ]
    assert "Authorize** above" not in openapi["info"]["description"]


async def test_examples_run_as_is_and_never_change_the_callers_account(
    openapi: dict[str, Any],
) -> None:
    """The login form's example logs in the registration example's account; an account
    update's example changes nothing of that account."""
    schemas = openapi["components"]["schemas"]
    [registration] = schemas["UserCreate"]["examples"]
    login_form = next(
        schema
        for name, schema in schemas.items()
        if name.startswith("Body_") and "grant_type" in schema["properties"]
    )["properties"]
    assert login_form["grant_type"]["examples"] == ["password"]
    assert login_form["username"]["examples"] == [registration["username"]]
    assert login_form["password"]["examples"] == [registration["password"]]
    for example in schemas["UserUpdate"]["examples"]:
        assert set(example) <= {"username", "email"}
        assert all(registration[field] == value for field, value in example.items())

"""The OpenAPI document: every error an operation can return, in problem+json form, with an
example of each kind taken from the problem table."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from domain.errors import DomainError
from entrypoints.http.problems import (
    PROBLEM_JSON,
    VALIDATION,
    OAuthProblem,
    OAuthValidationProblem,
    Problem,
    ProblemType,
    ValidationProblem,
    problem_type_of,
)

_DESCRIPTIONS = {
    400: "Bad request",
    401: "Missing, invalid, expired or revoked credentials",
    403: "Authenticated, but not allowed",
    404: "Not found",
    409: "Conflicts with an existing account",
    413: "Request body over 1 MiB",
    422: "Invalid input; `errors` lists each invalid field",
    429: "Too many attempts; see Retry-After",
    503: "The database does not answer, or the service is busy; see Retry-After",
}
Answerable = type[DomainError] | ProblemType


def _kind(answer: Answerable) -> ProblemType:
    if isinstance(answer, ProblemType):
        return answer
    kind = problem_type_of(answer)
    if kind is None:
        raise ValueError(f"{answer.__name__} is not in the problem table")
    return kind


def _example(kind: ProblemType) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": kind.type,
        "title": kind.title,
        "status": kind.status,
        "detail": kind.example,
    }
    if kind.status == VALIDATION.status:
        body["errors"] = [
            {"loc": ["body", "password"], "msg": "Field required", "type": "missing"}
            if kind.oauth_error
            else {"loc": ["body", "price"], "msg": "must be a number", "type": "value_error"}
        ]
    if kind.oauth_error:
        body["error"] = kind.oauth_error
    return body


def _model(status: int, kinds: list[ProblemType]) -> type[BaseModel]:
    oauth = any(kind.oauth_error for kind in kinds)
    if status == VALIDATION.status:
        return OAuthValidationProblem if oauth else ValidationProblem
    return OAuthProblem if oauth else Problem


def problems(*answers: Answerable) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: the problems it can answer (domain errors, or kinds of
    problem), grouped by status, each with its example."""
    by_status: dict[int, list[ProblemType]] = defaultdict(list)
    for answer in answers:
        kind = _kind(answer)
        by_status[kind.status].append(kind)
    return {
        status: {
            "model": _model(status, kinds),
            "description": _DESCRIPTIONS[status],
            "content": {
                "application/json": {
                    "examples": {
                        kind.slug: {"summary": kind.title, "value": _example(kind)}
                        for kind in kinds
                    }
                }
            },
        }
        for status, kinds in sorted(by_status.items())
    }


def links_from_created(resource: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI links from a 201 to what can be done next with the resource just created: the
    `read_`, `update_`, `replace_` and `delete_` operations of it, by its `{resource}_id`."""
    return {
        201: {
            "links": {
                f"{verb}_{resource}": {
                    "operationId": f"{verb}_{resource}",
                    "parameters": {f"{resource}_id": "$response.body#/id"},
                    "description": f"The {resource} just created.",
                }
                for verb in ("read", "update", "replace", "delete")
            }
        }
    }


def add_partial_update(
    router: APIRouter,
    path: str,
    endpoint: Callable[..., Any],
    *,
    resource: str,
    described_as: str,
    response_model: type[BaseModel],
    answers: tuple[Answerable, ...],
) -> None:
    """PATCH and PUT both apply a partial update (the contract); each needs its own operationId
    and summary. `described_as` names the resource in a summary ("an item")."""
    for method, verb, summary in (
        ("PATCH", "update", f"Change some fields of {described_as}"),
        ("PUT", "replace", f"Change some fields of {described_as} (same as PATCH)"),
    ):
        router.add_api_route(
            path,
            endpoint,
            methods=[method],
            response_model=response_model,
            operation_id=f"{verb}_{resource}",
            summary=summary,
            responses=problems(*answers),
        )


def _drop_undeclared_validation(operation: dict[str, Any]) -> None:
    """FastAPI documents a 422 for every operation with a parameter, whether or not one can
    fail; an operation that can answer 422 declares it (`problems(VALIDATION)`, with its
    examples), so one without examples is FastAPI's guess (a free-text path segment)."""
    responses = operation.get("responses", {})
    generated = responses.get("422", {}).get("content", {}).get("application/json", {})
    if "422" in responses and "examples" not in generated:
        del responses["422"]


def install_openapi(app: FastAPI) -> None:
    """Generate once, then serve: errors as application/problem+json, not application/json."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            for path in schema.get("paths", {}).values():
                for operation in path.values():
                    _drop_undeclared_validation(operation)
                    for status, response in operation.get("responses", {}).items():
                        content = response.get("content", {})
                        if status[0] in "45" and "application/json" in content:
                            content[PROBLEM_JSON] = content.pop("application/json")
            schemas = schema.get("components", {}).get("schemas", {})
            text = json.dumps(schema.get("paths", {}))
            for unused in ("HTTPValidationError", "ValidationError"):  # FastAPI's own 422 body
                if f'/{unused}"' not in text:
                    schemas.pop(unused, None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

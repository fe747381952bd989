"""The OpenAPI document: every error an operation can return, in problem+json form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from entrypoints.http.problems import PROBLEM_JSON, Problem, ValidationProblem

_DESCRIPTIONS = {
    400: "Bad request",
    401: "Missing, invalid, expired or revoked credentials",
    403: "Authenticated, but not allowed",
    404: "Not found",
    409: "Conflicts with an existing account",
    413: "Request body over 1 MiB",
    422: "Invalid input; `errors` lists each invalid field",
    429: "Too many failed logins; see Retry-After",
    503: "The database does not answer",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: the error statuses it can answer, with the problem schema."""
    return {
        status: {
            "model": ValidationProblem if status == 422 else Problem,
            "description": _DESCRIPTIONS[status],
        }
        for status in statuses
    }


def links_to(resource: str, parameter: str, *operation_ids: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI links from a 201 to what can be done with the created resource next."""
    return {
        201: {
            "links": {
                f"{operation_id}": {
                    "operationId": operation_id,
                    "parameters": {parameter: "$response.body#/id"},
                    "description": f"The {resource} just created.",
                }
                for operation_id in operation_ids
            }
        }
    }


def add_partial_update(
    router: APIRouter,
    path: str,
    endpoint: Callable[..., Any],
    *,
    resource: str,
    response_model: type[BaseModel],
    errors: tuple[int, ...],
) -> None:
    """PATCH and PUT both apply a partial update (the contract); each needs its own operationId."""
    for method, verb in (("PATCH", "update"), ("PUT", "replace")):
        router.add_api_route(
            path,
            endpoint,
            methods=[method],
            response_model=response_model,
            operation_id=f"{verb}_{resource}",
            responses=problems(*errors),
        )


def install_openapi(app: FastAPI) -> None:
    """Generate once, then serve: errors as application/problem+json, not application/json."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            for path in schema.get("paths", {}).values():
                for operation in path.values():
                    for status, response in operation.get("responses", {}).items():
                        content = response.get("content", {})
                        if status[0] in "45" and "application/json" in content:
                            content[PROBLEM_JSON] = content.pop("application/json")
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

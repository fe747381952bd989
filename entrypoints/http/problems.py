"""Problem details (RFC 9457) for every error, and the one table that maps domain errors to them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match

from application.errors import (
    InvalidCredentials,
    InvalidCursor,
    InvalidLimit,
    InvalidPriceRange,
    InvalidSearch,
    InvalidSkip,
    LoginThrottled,
    NotAuthenticated,
    StorageUnavailable,
    SuperuserIdentityConflict,
)
from domain.errors import (
    DomainError,
    EmailAlreadyRegistered,
    InvalidValue,
    ItemNotFound,
    NotAllowed,
    UsernameTaken,
    UserNotFound,
    WrongCurrentPassword,
)

logger = logging.getLogger("itemhub.http")
PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:itemhub:problem:"


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(
        description="A URI naming the kind of problem.", examples=["urn:itemhub:problem:not-found"]
    )
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong this time, for a person.")


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ValidationProblem(Problem):
    errors: list[FieldError]


@dataclass(frozen=True, slots=True)
class Mapping:
    status: int
    slug: str
    title: str


# Every DomainError subclass the application raises, and what a client sees for it.
# tests/api check that no DomainError subclass is missing from this table.
ERRORS: dict[type[DomainError], Mapping] = {
    InvalidCredentials: Mapping(401, "invalid-credentials", "Invalid credentials"),
    NotAuthenticated: Mapping(401, "not-authenticated", "Not authenticated"),
    NotAllowed: Mapping(403, "forbidden", "Forbidden"),
    UserNotFound: Mapping(404, "user-not-found", "User not found"),
    ItemNotFound: Mapping(404, "item-not-found", "Item not found"),
    EmailAlreadyRegistered: Mapping(409, "email-taken", "Email already registered"),
    UsernameTaken: Mapping(409, "username-taken", "Username already taken"),
    SuperuserIdentityConflict: Mapping(409, "identity-conflict", "Email and username disagree"),
    WrongCurrentPassword: Mapping(400, "wrong-current-password", "Wrong current password"),
    LoginThrottled: Mapping(429, "too-many-failed-logins", "Too many failed logins"),
    StorageUnavailable: Mapping(503, "database-unavailable", "Database unavailable"),
    InvalidValue: Mapping(422, "validation-error", "Invalid request"),
}
# Validation errors about query parameters rather than the body.
QUERY_ERRORS = (InvalidLimit, InvalidSkip, InvalidCursor, InvalidPriceRange, InvalidSearch)


def mapping_for(error_type: type[DomainError]) -> Mapping | None:
    for cls in error_type.__mro__:
        if cls in ERRORS:
            return ERRORS[cls]
    return None


def problem_response(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": f"{TYPE_PREFIX}{slug}" if slug else "about:blank",
        "title": title or phrase,
        "status": status,
        "detail": detail,
    }
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _unauthorized_headers(status: int) -> dict[str, str] | None:
    return {"WWW-Authenticate": "Bearer"} if status == 401 else None


async def domain_error_handler(_request: Request, error: Exception) -> Response:
    assert isinstance(error, DomainError)  # noqa: S101 - registered for DomainError only
    mapping = mapping_for(type(error))
    if mapping is None:  # a new error class nobody mapped: a bug, answered as one
        logger.error("unmapped domain error %s", type(error).__name__)
        return problem_response(500, "The server failed to handle this request.", slug="internal")
    headers = _unauthorized_headers(mapping.status)
    extra = None
    if isinstance(error, LoginThrottled):
        headers = {"Retry-After": str(error.retry_after_seconds)}
    if isinstance(error, StorageUnavailable):
        logger.warning("database unavailable: %s", error.reason)
        headers = {"Retry-After": "5"}
    if isinstance(error, InvalidValue):
        where = "query" if isinstance(error, QUERY_ERRORS) else "body"
        extra = {
            "errors": [{"loc": [where, error.field], "msg": error.reason, "type": "value_error"}]
        }
    return problem_response(
        mapping.status,
        error.detail,
        slug=mapping.slug,
        title=mapping.title,
        headers=headers,
        extra=extra,
    )


def _field_error(error: Any) -> dict[str, Any]:
    message = str(error.get("msg", "Invalid value"))
    return {
        "loc": [part if isinstance(part, int) else str(part) for part in error.get("loc", ())],
        "msg": message.removeprefix("Value error, "),
        "type": str(error.get("type", "value_error")),
    }


async def validation_error_handler(_request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)  # noqa: S101 - registered for it only
    errors = [_field_error(each) for each in error.errors()]
    fields = ", ".join(".".join(str(part) for part in each["loc"]) for each in errors)
    return problem_response(
        422,
        f"Invalid request: {fields}" if fields else "Invalid request",
        slug="validation-error",
        title="Invalid request",
        extra={"errors": jsonable_encoder(errors)},
    )


_METHODS = ("DELETE", "GET", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path. FastAPI makes one route per method, so the
    405 of the first route that matched the path alone would name too few; ask them all."""
    methods = {
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL
            for route in request.app.routes
            if isinstance(route, BaseRoute)
        )
    }
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


async def http_error_handler(request: Request, error: Exception) -> Response:
    """404 for unknown routes, 405, and FastAPI's own HTTP errors, as problem details."""
    assert isinstance(error, StarletteHTTPException)  # noqa: S101 - registered for it only
    headers = dict(error.headers or {})
    if error.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    detail = error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
    if error.status_code == 404 and detail == "Not Found":
        detail = "There is nothing at this address."
    return problem_response(error.status_code, detail, headers=headers or None)

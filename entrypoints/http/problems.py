"""Problem details (RFC 9457) for every error, and the one table that maps errors to them.

One rule for every row: the status, type and title come from the table; a 401 says how to
authenticate (`WWW-Authenticate`); an error that knows when a retry may work says so
(`Retry-After`). Invalid input has its own handlers, which list each invalid field in `errors`.
"""

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


@dataclass(frozen=True, slots=True)
class ProblemType:
    """One kind of problem, as clients see it: they branch on `type`."""

    status: int
    slug: str
    title: str
    example: str
    """A `detail` this kind of problem might carry, for the OpenAPI document."""

    @property
    def type(self) -> str:
        return f"{TYPE_PREFIX}{self.slug}"


VALIDATION = ProblemType(422, "validation-error", "Invalid request", "Invalid request: body.price")
BODY_TOO_LARGE = ProblemType(
    413,
    "body-too-large",
    "Request body too large",
    "The request body is larger than 1048576 bytes.",
)
INTERNAL = ProblemType(
    500, "internal", "Internal Server Error", "The server failed to handle this request."
)

# Every DomainError subclass the application raises, and what a client sees for it.
# tests/api check that no DomainError subclass is missing from this table.
PROBLEMS: dict[type[DomainError], ProblemType] = {
    InvalidCredentials: ProblemType(
        401, "invalid-credentials", "Invalid credentials", "Incorrect username or password"
    ),
    NotAuthenticated: ProblemType(
        401, "not-authenticated", "Not authenticated", "Not authenticated"
    ),
    NotAllowed: ProblemType(
        403, "forbidden", "Forbidden", "You are not allowed to change another user's item"
    ),
    UserNotFound: ProblemType(404, "user-not-found", "User not found", "There is no user 7"),
    ItemNotFound: ProblemType(404, "item-not-found", "Item not found", "There is no item 7"),
    EmailAlreadyRegistered: ProblemType(
        409,
        "email-taken",
        "Email already registered",
        "The email alice@example.com is already registered",
    ),
    UsernameTaken: ProblemType(
        409, "username-taken", "Username already taken", "The username alice is already taken"
    ),
    SuperuserIdentityConflict: ProblemType(
        409,
        "identity-conflict",
        "Email and username disagree",
        "alice@example.com is registered with the username alice",
    ),
    WrongCurrentPassword: ProblemType(
        400,
        "wrong-current-password",
        "Wrong current password",
        "current_password is missing or wrong; it is required to change your password",
    ),
    LoginThrottled: ProblemType(
        429,
        "too-many-failed-logins",
        "Too many failed logins",
        "Too many failed logins; try again in 120 seconds",
    ),
    StorageUnavailable: ProblemType(
        503,
        "database-unavailable",
        "Database unavailable",
        "The database is not available; try again shortly",
    ),
}


def problem_type_of(error_type: type[DomainError]) -> ProblemType | None:
    for cls in error_type.__mro__:
        if cls in PROBLEMS:
            return PROBLEMS[cls]
    return None


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(description="A URI naming the kind of problem.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong this time, for a person.")


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ValidationProblem(Problem):
    errors: list[FieldError]


def problem_response(
    status: int,
    detail: str,
    *,
    kind: ProblemType | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """`kind=None` is a plain HTTP error (unknown route, wrong method): type `about:blank`."""
    body: dict[str, Any] = {
        "type": kind.type if kind else "about:blank",
        "title": kind.title if kind else HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if extra:
        body.update(extra)
    if status == HTTPStatus.UNAUTHORIZED:
        headers = {"WWW-Authenticate": "Bearer", **(headers or {})}
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


async def domain_error_handler(_request: Request, error: Exception) -> Response:
    assert isinstance(error, DomainError)  # noqa: S101 - registered for DomainError only
    kind = problem_type_of(type(error))
    if kind is None:  # a new error class nobody mapped: a bug, answered as one
        logger.error("unmapped domain error %s", type(error).__name__)
        return problem_response(INTERNAL.status, INTERNAL.example, kind=INTERNAL)
    if kind.status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        logger.warning("%s: %s", kind.slug, getattr(error, "reason", error.detail))
    retry = error.retry_after_seconds
    headers = {"Retry-After": str(retry)} if retry is not None else None
    return problem_response(kind.status, error.detail, kind=kind, headers=headers)


def validation_problem(errors: list[dict[str, Any]]) -> Response:
    fields = ", ".join(".".join(str(part) for part in each["loc"]) for each in errors)
    return problem_response(
        VALIDATION.status,
        f"Invalid request: {fields}" if fields else "Invalid request",
        kind=VALIDATION,
        extra={"errors": jsonable_encoder(errors)},
    )


def _field_error(error: Any) -> dict[str, Any]:
    message = str(error.get("msg", "Invalid value"))
    return {
        "loc": [part if isinstance(part, int) else str(part) for part in error.get("loc", ())],
        "msg": message.removeprefix("Value error, "),
        "type": str(error.get("type", "value_error")),
    }


async def request_validation_handler(_request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)  # noqa: S101 - registered for it only
    return validation_problem([_field_error(each) for each in error.errors()])


async def invalid_value_handler(_request: Request, error: Exception) -> Response:
    """A rule of the core broken by a value the edge did not check itself."""
    assert isinstance(error, InvalidValue)  # noqa: S101 - registered for it only
    return validation_problem([{"loc": [error.field], "msg": error.reason, "type": "value_error"}])


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
    if error.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
        headers["Allow"] = ", ".join(allowed_methods(request))
    detail = error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
    if error.status_code == HTTPStatus.NOT_FOUND and detail == "Not Found":
        detail = "There is nothing at this address."
    return problem_response(error.status_code, detail, headers=headers or None)

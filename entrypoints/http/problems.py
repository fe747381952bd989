"""Problem details (RFC 9457) for every error, and the one table that maps errors to them.

One rule for every row: the status, type and title come from the table; a 401 says how to
authenticate (`WWW-Authenticate`); an error that knows when a retry may work says so
(`Retry-After`). Invalid input has its own handlers, which list each invalid field in `errors`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
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
    HashingBusy,
    InvalidCredentials,
    InvalidRefreshToken,
    LoginThrottled,
    MailRequestThrottled,
    NotAuthenticated,
    RecentLoginRequired,
    RegistrationThrottled,
    StorageUnavailable,
    SuperuserIdentityConflict,
    TooManyAttempts,
    UnsupportedGrantType,
)
from domain.errors import (
    DomainError,
    EmailAlreadyRegistered,
    EmailNotVerified,
    InvalidAccountToken,
    InvalidValue,
    ItemNotFound,
    LastSuperuser,
    NotAllowed,
    SessionNotFound,
    UsernameTaken,
    UserNotFound,
    WrongCurrentPassword,
)
from entrypoints.http.middleware.metrics import note_problem

logger = logging.getLogger("itemhub.http")
PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:itemhub:problem:"


def _bearer(_error: DomainError) -> str:
    return "Bearer"


@dataclass(frozen=True, slots=True)
class ProblemType:
    """One kind of problem, as clients see it: they branch on `type`."""

    status: int
    slug: str
    title: str
    example: str
    """A `detail` this kind of problem might carry, for the OpenAPI document."""
    challenge: Callable[[DomainError], str] = _bearer
    """For a 401: the `WWW-Authenticate` value saying what would authenticate."""
    oauth_error: str | None = None
    """For the token endpoint's problems: the RFC 6749 5.2 code, sent as the member `error`
    so OAuth clients find it where they look."""

    @property
    def type(self) -> str:
        return f"{TYPE_PREFIX}{self.slug}"


VALIDATION = ProblemType(422, "validation-error", "Invalid request", "Invalid request: body.price")
TOKEN_REQUEST_INVALID = ProblemType(
    422,
    "validation-error",
    "Invalid request",
    "Invalid request: body.password",
    oauth_error="invalid_request",
)
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
        401,
        "invalid-credentials",
        "Invalid credentials",
        "Incorrect username or password",
        oauth_error="invalid_grant",
    ),
    InvalidRefreshToken: ProblemType(
        401,
        "invalid-refresh-token",
        "Invalid refresh token",
        "The refresh token is invalid, expired or revoked; log in again",
        oauth_error="invalid_grant",
    ),
    UnsupportedGrantType: ProblemType(
        400,
        "unsupported-grant-type",
        "Unsupported grant type",
        "grant_type 'client_credentials' is not supported; use 'password' or 'refresh_token'",
        oauth_error="unsupported_grant_type",
    ),
    NotAuthenticated: ProblemType(
        401, "not-authenticated", "Not authenticated", "Not authenticated"
    ),
    RecentLoginRequired: ProblemType(
        401,
        "recent-login-required",
        "Recent login required",
        "This needs a recent login: log in with your password again, then retry",
        challenge=lambda error: (  # RFC 9470 step-up authentication
            'Bearer error="insufficient_user_authentication", '
            f"max_age={getattr(error, 'max_age_seconds', 0)}"
        ),
    ),
    NotAllowed: ProblemType(
        403, "forbidden", "Forbidden", "You are not allowed to change another user's item"
    ),
    EmailNotVerified: ProblemType(
        403,
        "email-not-verified",
        "Email not verified",
        "Verify your email address first: follow the link we mailed you, "
        "or ask for a new one at POST /api/v1/auth/verify-email/resend",
    ),
    UserNotFound: ProblemType(404, "user-not-found", "User not found", "There is no user 7"),
    ItemNotFound: ProblemType(404, "item-not-found", "Item not found", "There is no item 7"),
    SessionNotFound: ProblemType(
        404, "session-not-found", "Session not found", "There is no such live session of yours"
    ),
    EmailAlreadyRegistered: ProblemType(
        409,
        "email-taken",
        "Email already registered",
        "The email alice@example.com is already registered",
    ),
    UsernameTaken: ProblemType(
        409, "username-taken", "Username already taken", "The username alice is already taken"
    ),
    LastSuperuser: ProblemType(
        409,
        "last-superuser",
        "Last superuser",
        "The last active superuser cannot be deactivated or demoted",
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
    InvalidAccountToken: ProblemType(
        400,
        "invalid-token",
        "Invalid or expired link",
        "This link is invalid, has expired or was used already; ask for a new one",
    ),
    TooManyAttempts: ProblemType(
        429, "too-many-attempts", "Too many attempts", "Too many attempts; try again in 60 seconds"
    ),
    LoginThrottled: ProblemType(
        429,
        "too-many-failed-logins",
        "Too many failed logins",
        "Too many failed logins; try again in 120 seconds",
    ),
    RegistrationThrottled: ProblemType(
        429,
        "too-many-registrations",
        "Too many registrations",
        "Too many registrations from your address; try again in 1800 seconds",
    ),
    MailRequestThrottled: ProblemType(
        429,
        "too-many-mail-requests",
        "Too many mail requests",
        "Too many mail requests; try again in 3600 seconds",
    ),
    HashingBusy: ProblemType(
        503,
        "busy",
        "Busy checking passwords",
        "The service is busy checking passwords; try again shortly",
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


class OAuthProblem(Problem):
    """A problem of the token endpoint (RFC 6749 5.2)."""

    error: str = Field(description="The OAuth 2.0 error code: invalid_grant, ...")


class OAuthValidationProblem(ValidationProblem):
    error: str = Field(description="The OAuth 2.0 error code: invalid_request.")


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


async def domain_error_handler(request: Request, error: Exception) -> Response:
    assert isinstance(error, DomainError)  # noqa: S101 - registered for DomainError only
    kind = problem_type_of(type(error))
    if kind is None:  # a new error class nobody mapped: a bug, answered as one
        logger.error("unmapped domain error %s", type(error).__name__)
        return problem_response(INTERNAL.status, INTERNAL.example, kind=INTERNAL)
    note_problem(request.scope, kind.slug)  # for the metrics of 429s and 503s
    if kind.status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        logger.warning("%s: %s", kind.slug, getattr(error, "reason", error.detail))
    headers = {}
    if error.retry_after_seconds is not None:
        headers["Retry-After"] = str(error.retry_after_seconds)
    if kind.status == HTTPStatus.UNAUTHORIZED:
        headers["WWW-Authenticate"] = kind.challenge(error)
    extra = {"error": kind.oauth_error} if kind.oauth_error else None
    return problem_response(
        kind.status, error.detail, kind=kind, headers=headers or None, extra=extra
    )


MAX_ERRORS_LISTED = 20
"""However many fields a request gets wrong, the answer stays small (the contract: 20)."""
_MAX_ECHOED_CHARS = 64
_MAX_MESSAGE_CHARS = 200


def _clipped(text: str, limit: int) -> str:
    """Parts of a request echoed back (a field's name can be a megabyte long) are cut short."""
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def validation_problem(
    errors: list[dict[str, Any]], found: int | None = None, kind: ProblemType = VALIDATION
) -> Response:
    """`errors` (at most MAX_ERRORS_LISTED of them) of `found` in all."""
    found = len(errors) if found is None else found
    listed = errors[:MAX_ERRORS_LISTED]
    fields = ", ".join(".".join(str(part) for part in each["loc"]) for each in listed)
    if found > len(listed):
        detail = f"Invalid request: {found} errors, the first {len(listed)} listed: {fields}"
    else:
        detail = f"Invalid request: {fields}" if fields else "Invalid request"
    extra: dict[str, Any] = {"errors": jsonable_encoder(listed)}
    if kind.oauth_error:
        extra["error"] = kind.oauth_error
    return problem_response(kind.status, detail, kind=kind, extra=extra)


def _field_error(error: Any) -> dict[str, Any]:
    message = str(error.get("msg", "Invalid value")).removeprefix("Value error, ")
    if error.get("type") == "json_invalid" and "error" in error.get("ctx", {}):
        message = f"{message}: {error['ctx']['error']}"
    return {
        "loc": [
            part if isinstance(part, int) else _clipped(str(part), _MAX_ECHOED_CHARS)
            for part in error.get("loc", ())
        ],
        "msg": _clipped(message, _MAX_MESSAGE_CHARS),
        "type": str(error.get("type", "value_error")),
    }


def request_validation_problem(
    error: RequestValidationError, kind: ProblemType = VALIDATION
) -> Response:
    found = error.errors()
    return validation_problem(
        [_field_error(each) for each in found[:MAX_ERRORS_LISTED]], found=len(found), kind=kind
    )


async def request_validation_handler(_request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)  # noqa: S101 - registered for it only
    return request_validation_problem(error)


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

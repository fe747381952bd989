"""The token endpoint (OAuth2 password and refresh_token grants) and logging out."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from application.errors import (
    HashingBusy,
    InvalidCredentials,
    InvalidRefreshToken,
    LoginThrottled,
    NotAuthenticated,
    UnsupportedGrantType,
)
from application.use_cases.auth import Credentials, SessionTokens
from domain.values import MAX_LOGIN_CHARS
from entrypoints.container import Container
from entrypoints.http.dependencies import ClientAddress, CurrentCaller, Services, UserAgent
from entrypoints.http.openapi import problems
from entrypoints.http.problems import TOKEN_REQUEST_INVALID, request_validation_problem
from entrypoints.http.schemas import Token

PASSWORD_GRANT = "password"  # noqa: S105 - an OAuth2 grant type, not a secret
REFRESH_GRANT = "refresh_token"
GRANT_TYPES = (PASSWORD_GRANT, REFRESH_GRANT)
# Issued refresh tokens are 43 characters; anything this long is refused before it is read.
MAX_REFRESH_TOKEN_CHARS = 1024


class TokenRoute(APIRoute):
    """The token endpoint's invalid requests carry the OAuth code `invalid_request`
    (RFC 6749 5.2) beside the usual list of invalid fields."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def token_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as error:
                return request_validation_problem(error, TOKEN_REQUEST_INVALID)

        return token_handler


router = APIRouter(prefix="/auth", tags=["auth"])


class TokenForm:
    """The token request's form (RFC 6749 4.3.2 and 6). Each grant's fields are optional here
    and required by the grant, so a missing one is named in a 422 with `invalid_request`."""

    def __init__(
        self,
        *,
        grant_type: Annotated[
            str | None,
            Form(
                description="`password` (the default) to log in, or `refresh_token` to "
                "exchange a refresh token for new tokens of its session.",
                json_schema_extra={"enum": list(GRANT_TYPES)},
                examples=[PASSWORD_GRANT],
            ),
        ] = None,
        username: Annotated[
            str | None,
            Form(
                max_length=MAX_LOGIN_CHARS,
                description="Password grant: your email address or username.",
                # The registration example's account: register it, then log in as it, as-is.
                examples=["alice"],
            ),
        ] = None,
        password: Annotated[
            str | None,
            Form(
                description="Password grant: your password.",
                json_schema_extra={"format": "password"},
                examples=["correct horse battery"],
            ),
        ] = None,
        refresh_token: Annotated[
            str | None,
            Form(
                max_length=MAX_REFRESH_TOKEN_CHARS,
                description="Refresh grant: the `refresh_token` of the last login or refresh.",
                json_schema_extra={"format": "password"},
            ),
        ] = None,
    ) -> None:
        self.grant_type = grant_type or PASSWORD_GRANT
        self.username = username
        self.password = password
        self.refresh_token = refresh_token

    def _missing(self, *names: str) -> RequestValidationError:
        return RequestValidationError(
            [
                {"loc": ("body", name), "msg": "Field required", "type": "missing"}
                for name in names
                if getattr(self, name) is None
            ]
        )

    def credentials(self, address: str, user_agent: str | None) -> Credentials:
        """The password grant's request, or a 422 naming the fields it lacks."""
        if self.username is None or self.password is None:
            raise self._missing("username", "password")
        return Credentials(self.username, self.password, address, user_agent)

    def presented_refresh_token(self) -> str:
        """The refresh grant's token, or a 422 naming it."""
        if self.refresh_token is None:
            raise self._missing("refresh_token")
        return self.refresh_token


async def issue_tokens(
    form: Annotated[TokenForm, Depends()],
    address: ClientAddress,
    user_agent: UserAgent,
    response: Response,
    services: Services,
) -> SessionTokens:
    """The OAuth2 token endpoint (RFC 6749).

    - `grant_type=password` (or none): log in with `username` (email or username) and
      `password`. Starts a session.
    - `grant_type=refresh_token`: send the last `refresh_token` you got. You get new tokens of
      the same session, and that refresh token stops working; presenting it again ends the
      session (someone else has it). Refresh one at a time: two refreshes with one token end
      the session too.

    Errors carry the OAuth code in `error`: `invalid_grant` (401) for wrong credentials or an
    unusable refresh token, `unsupported_grant_type` (400), `invalid_request` (422)."""
    if form.grant_type == PASSWORD_GRANT:
        tokens = await _log_in(services, form.credentials(address, user_agent))
    elif form.grant_type == REFRESH_GRANT:
        tokens = await services.refresh_session()(form.presented_refresh_token())
    else:
        raise UnsupportedGrantType(form.grant_type)
    response.headers["Cache-Control"] = "no-store"  # RFC 6749 5.1: tokens are never cached
    return tokens


LOGIN_OUTCOMES: dict[type[Exception], str] = {
    InvalidCredentials: "invalid_credentials",
    LoginThrottled: "throttled",
    HashingBusy: "busy",
}


async def _log_in(services: Container, credentials: Credentials) -> SessionTokens:
    """A password login, counted by outcome for `/metrics`."""
    metrics = services.observer()  # the metrics, or None when they are off
    logins = metrics.logins if metrics is not None else None
    try:
        tokens = await services.authenticate()(credentials)
    except tuple(LOGIN_OUTCOMES) as error:
        if logins is not None:
            logins.labels(LOGIN_OUTCOMES[type(error)]).inc()
        raise
    if logins is not None:
        logins.labels("success").inc()
    return tokens


# Added with its own route class on the one auth router (a router of its own would cost every
# request behind it a lookup: FastAPI walks included routers one by one).
router.add_api_route(
    "/token",
    issue_tokens,
    methods=["POST"],
    response_model=Token,
    operation_id="login",
    summary="Log in, or refresh a session",
    responses=problems(
        UnsupportedGrantType,
        InvalidCredentials,
        InvalidRefreshToken,
        TOKEN_REQUEST_INVALID,
        LoginThrottled,
        HashingBusy,
    ),
    route_class_override=TokenRoute,
)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="logout",
    responses=problems(NotAuthenticated),
)
async def logout(caller: CurrentCaller, services: Services) -> None:
    """End the caller's session: its access token and refresh token stop working at once.
    Other sessions of the account go on (`DELETE /users/me/sessions` ends those)."""
    await services.log_out()(caller)

"""Logging in: the OAuth2 password flow."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Response

from application.errors import HashingBusy, InvalidCredentials, LoginThrottled
from application.ports import IssuedToken
from application.use_cases.auth import Credentials
from domain.values import MAX_LOGIN_CHARS
from entrypoints.http.dependencies import ClientAddress, Services
from entrypoints.http.openapi import problems
from entrypoints.http.problems import VALIDATION
from entrypoints.http.schemas import Token

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginForm:
    """The OAuth2 password grant's form (RFC 6749 4.3.2): `username` is an email or a username.
    A login longer than any account's name is a 422 before it costs anything."""

    def __init__(
        self,
        username: Annotated[
            str,
            Form(max_length=MAX_LOGIN_CHARS, description="Your email address or username."),
        ],
        password: Annotated[str, Form(json_schema_extra={"format": "password"})],
        grant_type: Annotated[str | None, Form(pattern="^password$")] = None,
    ) -> None:
        self.username = username
        self.password = password


@router.post(
    "/token",
    response_model=Token,
    operation_id="login",
    responses=problems(InvalidCredentials, VALIDATION, LoginThrottled, HashingBusy),
)
async def login(
    form: Annotated[LoginForm, Depends()],
    address: ClientAddress,
    response: Response,
    services: Services,
) -> IssuedToken:
    """Exchange an email or username (`username` field) and password for a bearer token."""
    issued = await services.authenticate()(Credentials(form.username, form.password, address))
    response.headers["Cache-Control"] = "no-store"  # RFC 6749 5.1: tokens are never cached
    return issued

"""Logging in: the OAuth2 password flow."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.security import OAuth2PasswordRequestForm

from application.use_cases.auth import Authenticate, Credentials
from entrypoints.http.dependencies import ClientAddress, provided
from entrypoints.http.openapi import problems
from entrypoints.http.schemas import Token

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/token", response_model=Token, operation_id="login", responses=problems(401, 422, 429)
)
async def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    address: ClientAddress,
    response: Response,
    authenticate: Annotated[Authenticate, Depends(provided(lambda c: c.authenticate()))],
) -> Token:
    """Exchange an email or username (`username` field) and password for a bearer token."""
    issued = await authenticate(Credentials(form.username, form.password, address))
    response.headers["Cache-Control"] = "no-store"  # RFC 6749 5.1: tokens are never cached
    return Token(access_token=issued.access_token, expires_in=issued.expires_in)

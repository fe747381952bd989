"""Logging in: the OAuth2 password flow."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.security import OAuth2PasswordRequestForm

from application.errors import InvalidCredentials, LoginThrottled
from application.ports import IssuedToken
from application.use_cases.auth import Credentials
from entrypoints.http.dependencies import ClientAddress, Services
from entrypoints.http.openapi import problems
from entrypoints.http.problems import VALIDATION
from entrypoints.http.schemas import Token

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/token",
    response_model=Token,
    operation_id="login",
    responses=problems(InvalidCredentials, VALIDATION, LoginThrottled),
)
async def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    address: ClientAddress,
    response: Response,
    services: Services,
) -> IssuedToken:
    """Exchange an email or username (`username` field) and password for a bearer token."""
    issued = await services.authenticate()(Credentials(form.username, form.password, address))
    response.headers["Cache-Control"] = "no-store"  # RFC 6749 5.1: tokens are never cached
    return issued

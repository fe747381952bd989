"""How routes reach the container's use cases and the caller, as FastAPI dependencies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from application.errors import NotAuthenticated
from domain.user import User
from entrypoints.container import Container

T = TypeVar("T")
TOKEN_URL = "/api/v1/auth/token"  # noqa: S105 - an address, not a secret
_bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


def container_of(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def provided(get: Callable[[Container], T]) -> Callable[[Request], Awaitable[T]]:
    """A dependency returning something the app's container provides (a singleton, mostly).

    Async although it never awaits: FastAPI runs a plain `def` dependency in a worker thread,
    and that hop would cost more than the whole look-up."""

    async def dependency(request: Request) -> T:
        return get(container_of(request))

    return dependency


async def current_user(request: Request, token: Annotated[str | None, Depends(_bearer)]) -> User:
    """The active user the bearer token was issued to; NotAuthenticated (401) otherwise."""
    if token is None:
        raise NotAuthenticated
    resolve = container_of(request).current_user()
    return await resolve(token)


async def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


CurrentUser = Annotated[User, Depends(current_user)]
ClientAddress = Annotated[str, Depends(client_address)]

"""What routes ask FastAPI for: the app's container, the caller, the client's address.

A route takes the container (`Services`) and calls the use case it needs from it, e.g.
`await services.create_item()(actor, body.details())`. The container is the app's own
(`app.state.container`), so two apps in one process never share anything.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from application.errors import NotAuthenticated
from application.use_cases.auth import UNKNOWN_CLIENT, Caller
from domain.user import User
from entrypoints.container import Container

TOKEN_URL = "/api/v1/auth/token"  # noqa: S105 - an address, not a secret
_bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


async def _services(request: Request) -> Container:  # async: a plain def runs in a thread
    container: Container = request.app.state.container
    return container


Services = Annotated[Container, Depends(_services)]


async def _current_caller(
    services: Services, token: Annotated[str | None, Depends(_bearer)]
) -> Caller:
    """The active user the bearer token was issued to; NotAuthenticated (401) otherwise."""
    if token is None:
        raise NotAuthenticated
    return await services.current_user()(token)


async def _current_user(services: Services, token: Annotated[str | None, Depends(_bearer)]) -> User:
    """The caller's account. Not a dependency on `_current_caller`: FastAPI solves each layer
    of dependencies anew per request, and that layer cost `/users/me` a tenth of its CPU."""
    return (await _current_caller(services, token)).user


async def _client_address(request: Request) -> str:
    return request.client.host if request.client else UNKNOWN_CLIENT


async def _user_agent(request: Request) -> str | None:
    return request.headers.get("user-agent")


CurrentCaller = Annotated[Caller, Depends(_current_caller)]
CurrentUser = Annotated[User, Depends(_current_user)]
ClientAddress = Annotated[str, Depends(_client_address)]
UserAgent = Annotated[str | None, Depends(_user_agent)]

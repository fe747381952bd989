"""Accounts: registration, one's own account, and administration by superusers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from application.errors import (
    HashingBusy,
    NotAuthenticated,
    RecentLoginRequired,
    RegistrationThrottled,
)
from application.use_cases.users import Registration, UserChanges
from domain.errors import (
    EmailAlreadyRegistered,
    LastSuperuser,
    NotAllowed,
    UsernameTaken,
    UserNotFound,
    WrongCurrentPassword,
)
from domain.user import User
from entrypoints.http.cursors import encode_user_cursor, page_body
from entrypoints.http.dependencies import ClientAddress, CurrentCaller, CurrentUser, Services
from entrypoints.http.exact_json import ExactJsonRoute
from entrypoints.http.openapi import add_partial_update, links_from_created, problems
from entrypoints.http.params import UserId, UserPages
from entrypoints.http.problems import VALIDATION
from entrypoints.http.schemas import UserCreate, UserPage, UserRead, UserUpdate

router = APIRouter(prefix="/users", tags=["users"], route_class=ExactJsonRoute)
# What reading or deleting an account by id can answer besides success.
BY_ID = (NotAuthenticated, NotAllowed, UserNotFound, VALIDATION)


@router.post(
    "",
    response_model=UserRead,
    status_code=status.HTTP_201_CREATED,
    operation_id="register_user",
    responses=problems(
        EmailAlreadyRegistered, UsernameTaken, VALIDATION, RegistrationThrottled, HashingBusy
    )
    | links_from_created("user"),
)
async def register_user(
    body: UserCreate, address: ClientAddress, response: Response, services: Services
) -> User:
    """Create an account (anyone). The email and the username must be free, ignoring case;
    each address may register a limited number of times an hour."""
    user = await services.register_user()(Registration(**dict(body)), address)
    response.headers["Location"] = f"/api/v1/users/{user.id}"
    return user


@router.get(
    "/me",
    response_model=UserRead,
    operation_id="read_own_account",
    responses=problems(NotAuthenticated),
)
async def read_own_account(actor: CurrentUser) -> User:
    """The caller's own account."""
    return actor


@router.delete(
    "/me",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="delete_own_account",
    responses=problems(NotAuthenticated, RecentLoginRequired, LastSuperuser),
)
async def delete_own_account(caller: CurrentCaller, services: Services) -> None:
    """Delete the caller's account and every item it owns. It needs a recent login: a token
    whose password was given more than a few minutes ago gets 401 with `WWW-Authenticate:
    Bearer error="insufficient_user_authentication"` (log in again, then retry)."""
    await services.delete_own_account()(caller)


@router.get(
    "",
    response_model=UserPage,
    operation_id="list_users",
    responses=problems(NotAuthenticated, NotAllowed, VALIDATION),
)
async def list_users(actor: CurrentUser, page: UserPages, services: Services) -> dict[str, Any]:
    """Every account by id ascending (superusers only)."""
    return page_body(await services.list_users()(actor, page), encode_user_cursor)


@router.get(
    "/{user_id:int}",
    response_model=UserRead,
    operation_id="read_user",
    responses=problems(*BY_ID),
)
async def read_user(user_id: UserId, actor: CurrentUser, services: Services) -> User:
    """One's own account, or any as a superuser (others get 403 whether or not the id exists)."""
    return await services.get_user()(actor, user_id)


async def update_user(
    user_id: UserId, body: UserUpdate, actor: CurrentUser, services: Services
) -> User:
    """A partial update. A new password for one's own account needs `current_password`;
    `is_active` and `is_superuser` are for superusers only."""
    return await services.update_user()(actor, user_id, UserChanges(**body.sent()))


add_partial_update(
    router,
    "/{user_id:int}",
    update_user,
    resource="user",
    described_as="a user",
    response_model=UserRead,
    answers=(*BY_ID, WrongCurrentPassword, EmailAlreadyRegistered, UsernameTaken, LastSuperuser),
)


@router.delete(
    "/{user_id:int}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="delete_user",
    responses=problems(*BY_ID, RecentLoginRequired, LastSuperuser),
)
async def delete_user(user_id: UserId, caller: CurrentCaller, services: Services) -> None:
    """Delete any account and its items (superusers only; never the last active one)."""
    await services.delete_user()(caller, user_id)

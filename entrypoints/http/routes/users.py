"""Accounts: registration, one's own account, and administration by superusers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from application.paging import PageRequest
from application.partial import UNSET
from application.use_cases.users import (
    DeleteOwnAccount,
    DeleteUser,
    GetUser,
    ListUsers,
    RegisterUser,
    Registration,
    UpdateUser,
    UserChanges,
)
from entrypoints.http.dependencies import CurrentUser, provided
from entrypoints.http.exact_json import ExactJsonRoute
from entrypoints.http.openapi import add_partial_update, links_to, problems
from entrypoints.http.routes.params import UserId, page_request
from entrypoints.http.schemas import UserCreate, UserPage, UserRead, UserUpdate

router = APIRouter(prefix="/users", tags=["users"], route_class=ExactJsonRoute)


@router.post(
    "",
    response_model=UserRead,
    status_code=status.HTTP_201_CREATED,
    operation_id="register_user",
    responses=problems(409, 422)
    | links_to("user", "user_id", "read_user", "update_user", "replace_user", "delete_user"),
)
async def register_user(
    body: UserCreate,
    response: Response,
    register: Annotated[RegisterUser, Depends(provided(lambda c: c.register_user()))],
) -> UserRead:
    """Create an account (anyone). The email and the username must be free, ignoring case."""
    user = await register(Registration(body.email, body.username, body.password))
    response.headers["Location"] = f"/api/v1/users/{user.id}"
    return UserRead.of(user)


@router.get(
    "/me", response_model=UserRead, operation_id="read_own_account", responses=problems(401)
)
async def read_own_account(actor: CurrentUser) -> UserRead:
    return UserRead.of(actor)


@router.delete(
    "/me",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="delete_own_account",
    responses=problems(401),
)
async def delete_own_account(
    actor: CurrentUser,
    delete: Annotated[DeleteOwnAccount, Depends(provided(lambda c: c.delete_own_account()))],
) -> Response:
    """Delete the caller's account and every item it owns."""
    await delete(actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "", response_model=UserPage, operation_id="list_users", responses=problems(401, 403, 422)
)
async def list_users(
    actor: CurrentUser,
    page: Annotated[PageRequest, Depends(page_request)],
    list_users: Annotated[ListUsers, Depends(provided(lambda c: c.list_users()))],
) -> UserPage:
    """Every account by id ascending (superusers only)."""
    return UserPage.of(await list_users(actor, page))


@router.get(
    "/{user_id:int}",
    response_model=UserRead,
    operation_id="read_user",
    responses=problems(401, 403, 404, 422),
)
async def read_user(
    user_id: UserId,
    actor: CurrentUser,
    get_user: Annotated[GetUser, Depends(provided(lambda c: c.get_user()))],
) -> UserRead:
    """One's own account, or any as a superuser (others get 403 whether or not the id exists)."""
    return UserRead.of(await get_user(actor, user_id))


async def update_user(
    user_id: UserId,
    body: UserUpdate,
    actor: CurrentUser,
    update: Annotated[UpdateUser, Depends(provided(lambda c: c.update_user()))],
) -> UserRead:
    """A partial update (PUT behaves as PATCH). A new password for one's own account needs
    `current_password`; `is_active` and `is_superuser` are for superusers only."""
    sent = body.model_fields_set
    changes = UserChanges(
        email=body.email if body.email is not None else UNSET,
        username=body.username if body.username is not None else UNSET,
        password=body.password if body.password is not None else UNSET,
        current_password=body.current_password,
        is_active=body.is_active if "is_active" in sent and body.is_active is not None else UNSET,
        is_superuser=(
            body.is_superuser if "is_superuser" in sent and body.is_superuser is not None else UNSET
        ),
    )
    return UserRead.of(await update(actor, user_id, changes))


add_partial_update(
    router,
    "/{user_id:int}",
    update_user,
    resource="user",
    response_model=UserRead,
    errors=(400, 401, 403, 404, 409, 422),
)


@router.delete(
    "/{user_id:int}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="delete_user",
    responses=problems(401, 403, 404, 422),
)
async def delete_user(
    user_id: UserId,
    actor: CurrentUser,
    delete: Annotated[DeleteUser, Depends(provided(lambda c: c.delete_user()))],
) -> Response:
    """Delete any account and its items (superusers only)."""
    await delete(actor, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

"""Sessions: one's own (see them, end one, end all the others) and, for superusers, anyone's."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, status

from application.errors import NotAuthenticated
from domain.errors import NotAllowed, SessionNotFound, UserNotFound
from entrypoints.http.cursors import encode_session_cursor, page_body
from entrypoints.http.dependencies import CurrentCaller, CurrentUser, Services
from entrypoints.http.openapi import problems
from entrypoints.http.params import SessionPages, UserId
from entrypoints.http.problems import VALIDATION
from entrypoints.http.schemas import SessionPage

router = APIRouter(prefix="/users", tags=["sessions"])
SessionId = Annotated[str, Path(description="A session's `id`, as its list shows it.")]
OF_A_USER = (NotAuthenticated, NotAllowed, UserNotFound, VALIDATION)


@router.get(
    "/me/sessions",
    response_model=SessionPage,
    operation_id="list_own_sessions",
    responses=problems(NotAuthenticated, VALIDATION),
)
async def list_own_sessions(
    caller: CurrentCaller, page: SessionPages, services: Services
) -> dict[str, Any]:
    """Where you are logged in: your live sessions, newest first; `current` marks this one."""
    return page_body(await services.list_own_sessions()(caller, page), encode_session_cursor)


@router.delete(
    "/me/sessions",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="end_other_own_sessions",
    responses=problems(NotAuthenticated),
)
async def end_other_own_sessions(caller: CurrentCaller, services: Services) -> None:
    """Log out everywhere else: every session of yours but this one ends."""
    await services.end_other_own_sessions()(caller)


@router.delete(
    "/me/sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="end_own_session",
    responses=problems(NotAuthenticated, SessionNotFound),
)
async def end_own_session(session_id: SessionId, caller: CurrentCaller, services: Services) -> None:
    """End one of your live sessions (this one too, like logging out); 404 for any other id."""
    await services.end_own_session()(caller, session_id)


@router.get(
    "/{user_id:int}/sessions",
    response_model=SessionPage,
    operation_id="list_user_sessions",
    responses=problems(*OF_A_USER),
)
async def list_user_sessions(
    user_id: UserId, actor: CurrentUser, page: SessionPages, services: Services
) -> dict[str, Any]:
    """A user's live sessions, newest first (superusers only; `current` is always false)."""
    return page_body(
        await services.list_user_sessions()(actor, user_id, page), encode_session_cursor
    )


@router.delete(
    "/{user_id:int}/sessions",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="end_user_sessions",
    responses=problems(*OF_A_USER),
)
async def end_user_sessions(user_id: UserId, actor: CurrentUser, services: Services) -> None:
    """End every session of a user (superusers only), e.g. when an account was taken over."""
    await services.end_user_sessions()(actor, user_id)

"""Seeing and ending sessions: one's own, and any user's as a superuser."""

from __future__ import annotations

from application.paging import Page, PageRequest, SessionPosition, build_page
from application.ports import Clock, SessionQueries, UnitOfWorkFactory, UserQueries
from application.read_models import ListedSession
from application.use_cases.auth import Caller
from domain import policies
from domain.errors import NotAllowed, SessionNotFound, UserNotFound
from domain.session import EndReason, is_session_id
from domain.user import User


def _position(listed: ListedSession) -> SessionPosition:
    return SessionPosition(listed.session.created_at, listed.session.id)


async def _live_sessions(
    sessions: SessionQueries,
    clock: Clock,
    user_id: int,
    page: PageRequest[SessionPosition],
    current: str | None,
) -> Page[ListedSession, SessionPosition]:
    rows = await sessions.page(
        user_id, clock.now(), after=page.after, offset=page.offset, limit=page.limit + 1
    )
    listed = [ListedSession(session, session.id == current) for session in rows]
    return build_page(listed, page.limit, _position)


class ListOwnSessions:
    """The caller's live sessions, newest first; the one asking is marked `current`."""

    def __init__(self, sessions: SessionQueries, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def __call__(
        self, caller: Caller, page: PageRequest[SessionPosition]
    ) -> Page[ListedSession, SessionPosition]:
        return await _live_sessions(
            self._sessions, self._clock, caller.user.id, page, caller.session.id
        )


class LogOut:
    """End the caller's own session: its access and refresh tokens stop working at once."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, caller: Caller) -> None:
        async with self._uow() as uow:
            await uow.sessions.end(caller.session.id, self._clock.now(), EndReason.LOGOUT)
            await uow.commit()


class EndOwnSession:
    """End one of the caller's live sessions by id (any of them, the current one included).
    SessionNotFound for anything else: an unknown id, an ended session, someone else's."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, caller: Caller, session_id: str) -> None:
        if not is_session_id(session_id):
            raise SessionNotFound
        reason = EndReason.LOGOUT if session_id == caller.session.id else EndReason.REVOKED
        async with self._uow() as uow:
            ended = await uow.sessions.end(
                session_id, self._clock.now(), reason, user_id=caller.user.id
            )
            await uow.commit()
        if not ended:
            raise SessionNotFound


class EndOtherOwnSessions:
    """ "Log out everywhere else": end every session of the caller but the current one."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, caller: Caller) -> int:
        async with self._uow() as uow:
            ended = await uow.sessions.end_all(
                caller.user.id, self._clock.now(), EndReason.REVOKED, keep=caller.session.id
            )
            await uow.commit()
        return ended


class ListUserSessions:
    """Any user's live sessions (superusers only: NotAllowed before any look-up, so ids cannot
    be probed); UserNotFound for a missing user. None is marked `current`."""

    def __init__(self, users: UserQueries, sessions: SessionQueries, clock: Clock) -> None:
        self._users = users
        self._sessions = sessions
        self._clock = clock

    async def __call__(
        self, actor: User, user_id: int, page: PageRequest[SessionPosition]
    ) -> Page[ListedSession, SessionPosition]:
        if not policies.may_manage_sessions_of_others(actor):
            raise NotAllowed("see another user's sessions")
        if await self._users.get(user_id) is None:
            raise UserNotFound(user_id)
        return await _live_sessions(self._sessions, self._clock, user_id, page, None)


class EndUserSessions:
    """End every session of a user (superusers only, NotAllowed first; UserNotFound), the
    caller's own included when it is their own account."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, actor: User, user_id: int) -> int:
        if not policies.may_manage_sessions_of_others(actor):
            raise NotAllowed("end another user's sessions")
        async with self._uow() as uow:
            if await uow.users.get(user_id) is None:
                raise UserNotFound(user_id)
            ended = await uow.sessions.end_all(
                user_id, self._clock.now(), EndReason.REVOKED_BY_SUPERUSER
            )
            await uow.commit()
        return ended

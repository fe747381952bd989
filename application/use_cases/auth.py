"""Logging in, refreshing a session, and finding out who is calling."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from application.attempts import LoginLimits, login_quotas
from application.errors import (
    InvalidCredentials,
    InvalidRefreshToken,
    LoginThrottled,
    NotAuthenticated,
)
from application.ports import (
    AttemptLimiter,
    Clock,
    PasswordHasher,
    SessionQueries,
    TokenService,
    UnitOfWorkFactory,
    UserQueries,
)
from domain.errors import InvalidEmail, InvalidUsername, UserNotFound
from domain.opaque_token import digest_of
from domain.session import EndReason, RefreshToken, Session, SessionLifetime
from domain.user import User
from domain.values import Email, Username


@dataclass(frozen=True, slots=True)
class Caller:
    """Who makes a request, and the session their token belongs to."""

    user: User
    session: Session

    @property
    def authenticated_at(self) -> datetime:
        """When the password was last given: the login that started the session."""
        return self.session.created_at


UNKNOWN_CLIENT = "unknown"
"""The client address when the server was not told one (a unix socket)."""


@dataclass(frozen=True, slots=True)
class Credentials:
    login: str
    """An email address or a username."""
    password: str = field(repr=False)
    client_address: str = UNKNOWN_CLIENT
    user_agent: str | None = None


@dataclass(frozen=True, slots=True)
class SessionTokens:
    """What a login or a refresh gives the client: a short-lived access token, and the
    refresh token that gets the next one (shown this once; the store keeps its hash)."""

    access_token: str = field(repr=False)
    expires_in: int
    refresh_token: str = field(repr=False)
    session_id: str


def _tokens(tokens: TokenService, session: Session, refresh_token: str) -> SessionTokens:
    access = tokens.issue(session.user_id, session.id, session.created_at)
    return SessionTokens(access.access_token, access.expires_in, refresh_token, session.id)


async def _find_by_login(users: UserQueries, login: str) -> User | None:
    """Usernames cannot contain '@', so the login's shape says which look-up applies."""
    try:
        if "@" in login:
            return await users.get_by_email(Email(login))
        return await users.get_by_username(Username(login))
    except (InvalidEmail, InvalidUsername):
        return None


class Authenticate:
    """Exchange an email or username and a password for a new session's tokens.

    Rules:
    - unknown login, wrong password and inactive account all raise the same
      InvalidCredentials, and all three cost one bcrypt verification (against a dummy hash
      when the user is unknown), so neither the answer nor its timing tells them apart;
    - an attempt is taken from the quotas of its login name from this client and of the client
      (application/attempts.py) before anything else, atomically: when either is spent,
      LoginThrottled says how long to wait, and no password is checked. However many attempts
      arrive at once, at most the limit of passwords is checked per window;
    - a failure keeps its attempt counted; a success gives it back and clears the name's count
      from this client; an attempt that could not be judged (the database or the hashing is
      unavailable) is given back. Other clients are unaffected, so nobody can lock a user out;
    - a success starts a session (with the client's address and user agent, for its owner to
      recognise) and issues its first refresh token.
    """

    def __init__(
        self,
        *,
        users: UserQueries,
        hasher: PasswordHasher,
        tokens: TokenService,
        limiter: AttemptLimiter,
        limits: LoginLimits,
        clock: Clock,
        uow: UnitOfWorkFactory,
        lifetime: SessionLifetime,
    ) -> None:
        self._uow = uow
        self._lifetime = lifetime
        self._users = users
        self._hasher = hasher
        self._tokens = tokens
        self._limiter = limiter
        self._limits = limits
        self._clock = clock

    async def __call__(self, credentials: Credentials) -> SessionTokens:
        name, client = login_quotas(credentials.login, credentials.client_address, self._limits)
        attempt = await self._limiter.reserve(name, client)
        if not attempt.granted:
            raise LoginThrottled(attempt.retry_after)
        try:
            user = await _find_by_login(self._users, credentials.login)
            hashed = user.hashed_password if user is not None else None
            password_ok = await self._hasher.verify(credentials.password, hashed)
        except Exception:
            await self._limiter.give_back(attempt)
            raise
        if user is None or not password_ok or not user.is_active:
            raise InvalidCredentials
        await self._limiter.give_back(attempt)
        await self._limiter.reset(name)
        return await self._start_session(user, credentials)

    async def _start_session(self, user: User, credentials: Credentials) -> SessionTokens:
        now = self._clock.now()
        session = Session.start(
            user.id,
            now,
            self._lifetime,
            user_agent=credentials.user_agent,
            ip_address=(
                None if credentials.client_address == UNKNOWN_CLIENT else credentials.client_address
            ),
        )
        refresh_token, stored = RefreshToken.issue(session.id, now)
        async with self._uow() as uow:
            try:
                await uow.sessions.add(session)
            except UserNotFound:  # deleted between the password check and now
                raise InvalidCredentials from None
            await uow.sessions.add_refresh_token(stored)
            await uow.commit()
        return _tokens(self._tokens, session, refresh_token)


class RefreshSession:
    """Exchange a refresh token for new tokens of its session (the `refresh_token` grant).

    Rules (RFC 9700 4.14.2):
    - the token presented is spent atomically, in the store; the session's idle expiry starts
      again and a new refresh token is issued; the access token keeps the login's `auth_time`;
    - a token that was spent already is a replay: someone else holds this session's tokens, so
      the whole session ends (its newest refresh token and its access tokens stop working);
    - an unknown token, or one whose session has ended or expired: InvalidRefreshToken, as for
      a replay, so none can be told apart.
    Two refreshes racing with one token leave at most one live refresh token: one spends it,
    the other finds it spent and ends the session.
    """

    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        tokens: TokenService,
        clock: Clock,
        lifetime: SessionLifetime,
    ) -> None:
        self._uow = uow
        self._tokens = tokens
        self._clock = clock
        self._lifetime = lifetime

    async def __call__(self, refresh_token: str) -> SessionTokens:
        digest = digest_of(refresh_token)
        if digest is None:
            raise InvalidRefreshToken
        now = self._clock.now()
        async with self._uow() as uow:
            session_id = await uow.sessions.spend_refresh_token(digest, now)
            if session_id is None:
                replayed = await uow.sessions.session_of_refresh_token(digest)
                if replayed is not None:
                    await uow.sessions.end(replayed, now, EndReason.REFRESH_TOKEN_REUSE)
                    await uow.commit()
                raise InvalidRefreshToken
            session = await uow.sessions.get(session_id)
            if session is None or not session.is_live(now):
                raise InvalidRefreshToken
            session.refresh(now, self._lifetime)
            if not await uow.sessions.update(session):  # ended by someone else meanwhile
                raise InvalidRefreshToken
            next_token, stored = RefreshToken.issue(session.id, now)
            await uow.sessions.add_refresh_token(stored)
            await uow.commit()
        return _tokens(self._tokens, session, next_token)


class ResolveCurrentUser:
    """Turn a bearer token into the caller: the active user it was issued to, in a live session.

    Raises NotAuthenticated when the token is invalid or expired, when its user was deleted or
    deactivated, or when its session ended (logout, revocation, a replayed refresh token, a
    password change) or expired. The user and the session are read in one statement.
    """

    def __init__(self, sessions: SessionQueries, tokens: TokenService, clock: Clock) -> None:
        self._sessions = sessions
        self._tokens = tokens
        self._clock = clock

    async def __call__(self, token: str) -> Caller:
        claims = self._tokens.read(token)
        found = await self._sessions.signed_in(claims.user_id, claims.session_id)
        if (
            found is None
            or not found.user.is_active
            or not found.session.is_live(self._clock.now())
        ):
            raise NotAuthenticated
        return Caller(found.user, found.session)

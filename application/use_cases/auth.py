"""Logging in and finding out who is calling."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from application.attempts import LoginLimits, login_quotas
from application.errors import InvalidCredentials, LoginThrottled, NotAuthenticated
from application.ports import (
    AttemptLimiter,
    Clock,
    IssuedToken,
    PasswordHasher,
    TokenService,
    UserQueries,
)
from domain.errors import InvalidEmail, InvalidUsername
from domain.user import User
from domain.values import Email, Username


@dataclass(frozen=True, slots=True)
class Caller:
    """Who makes a request, and when they last gave their password (`auth_time`)."""

    user: User
    authenticated_at: datetime


@dataclass(frozen=True, slots=True)
class Credentials:
    login: str
    """An email address or a username."""
    password: str = field(repr=False)
    client_address: str = "unknown"


async def _find_by_login(users: UserQueries, login: str) -> User | None:
    """Usernames cannot contain '@', so the login's shape says which look-up applies."""
    try:
        if "@" in login:
            return await users.get_by_email(Email(login))
        return await users.get_by_username(Username(login))
    except (InvalidEmail, InvalidUsername):
        return None


class Authenticate:
    """Exchange an email or username and a password for an access token.

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
      unavailable) is given back. Other clients are unaffected, so nobody can lock a user out.
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
    ) -> None:
        self._users = users
        self._hasher = hasher
        self._tokens = tokens
        self._limiter = limiter
        self._limits = limits
        self._clock = clock

    async def __call__(self, credentials: Credentials) -> IssuedToken:
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
        return self._tokens.issue(user.id, user.token_version, self._clock.now())


class ResolveCurrentUser:
    """Turn a bearer token into the caller: the active user it was issued to.

    Raises NotAuthenticated when the token is invalid or expired, when its user was deleted or
    deactivated, or when the password changed after the token was issued.
    """

    def __init__(self, users: UserQueries, tokens: TokenService) -> None:
        self._users = users
        self._tokens = tokens

    async def __call__(self, token: str) -> Caller:
        claims = self._tokens.read(token)
        user = await self._users.get(claims.user_id)
        if user is None or not user.accepts_token_version(claims.token_version):
            raise NotAuthenticated
        return Caller(user, claims.authenticated_at)

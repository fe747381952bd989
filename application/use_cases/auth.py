"""Logging in and finding out who is calling."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from application.errors import InvalidCredentials, LoginThrottled, NotAuthenticated
from application.ports import IssuedToken, LoginThrottle, PasswordHasher, TokenService, UserQueries
from domain.errors import InvalidEmail, InvalidUsername
from domain.user import User
from domain.values import Email, Username


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
    - failures are counted per account and client address (an account's email and username
      share one count; an unknown login is counted by its text) and per address; past a limit
      LoginThrottled says how long to wait, before any password is checked. Other addresses
      are unaffected, so nobody can lock a user out; a success clears the account's count.
    """

    def __init__(
        self,
        users: UserQueries,
        hasher: PasswordHasher,
        tokens: TokenService,
        throttle: LoginThrottle,
    ) -> None:
        self._users = users
        self._hasher = hasher
        self._tokens = tokens
        self._throttle = throttle

    async def __call__(self, credentials: Credentials) -> IssuedToken:
        user = await _find_by_login(self._users, credentials.login)
        account = f"user:{user.id}" if user is not None else f"login:{credentials.login.lower()}"
        address = credentials.client_address
        wait = await self._throttle.retry_after(account, address)
        if wait is not None:
            raise LoginThrottled(max(1, math.ceil(wait)))
        hashed = user.hashed_password if user is not None else None
        password_ok = await self._hasher.verify(credentials.password, hashed)
        if user is None or not password_ok or not user.is_active:
            await self._throttle.record_failure(account, address)
            raise InvalidCredentials
        await self._throttle.record_success(account, address)
        return self._tokens.issue(user.id, user.token_version)


class ResolveCurrentUser:
    """Turn a bearer token into the active user it was issued to.

    Raises NotAuthenticated when the token is invalid or expired, when its user was deleted or
    deactivated, or when the password changed after the token was issued.
    """

    def __init__(self, users: UserQueries, tokens: TokenService) -> None:
        self._users = users
        self._tokens = tokens

    async def __call__(self, token: str) -> User:
        claims = self._tokens.read(token)
        user = await self._users.get(claims.user_id)
        if user is None or not user.accepts_token_version(claims.token_version):
            raise NotAuthenticated
        return user

"""Logging in and finding out who is calling."""

from __future__ import annotations

from dataclasses import dataclass, field

from application.errors import InvalidCredentials, NotAuthenticated
from application.ports import (
    IssuedToken,
    PasswordHasher,
    TokenService,
    UnitOfWorkFactory,
    UserRepository,
)
from domain.errors import InvalidEmail, InvalidUsername
from domain.user import User
from domain.values import Email, Username


@dataclass(frozen=True, slots=True)
class Credentials:
    login: str
    """An email address or a username."""
    password: str = field(repr=False)


async def _find_by_login(users: UserRepository, login: str) -> User | None:
    """Usernames cannot contain '@', so the login's shape says which look-up applies."""
    try:
        if "@" in login:
            return await users.get_by_email(Email(login))
        return await users.get_by_username(Username(login))
    except (InvalidEmail, InvalidUsername):
        return None


class Authenticate:
    """Exchange an email or username and a password for an access token.

    Rules: unknown login, wrong password and inactive account all raise the same
    InvalidCredentials, and all three cost one bcrypt verification (against a dummy hash when
    the user is unknown), so neither the answer nor its timing tells them apart.
    """

    def __init__(
        self, uow: UnitOfWorkFactory, hasher: PasswordHasher, tokens: TokenService
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._tokens = tokens

    async def __call__(self, credentials: Credentials) -> IssuedToken:
        async with self._uow() as uow:
            user = await _find_by_login(uow.users, credentials.login)
        hashed = user.hashed_password if user is not None else None
        password_ok = await self._hasher.verify(credentials.password, hashed)
        if user is None or not password_ok or not user.is_active:
            raise InvalidCredentials
        return self._tokens.issue(user.id, user.token_version)


class ResolveCurrentUser:
    """Turn a bearer token into the active user it was issued to.

    Raises NotAuthenticated when the token is invalid or expired, when its user was deleted or
    deactivated, or when the password changed after the token was issued.
    """

    def __init__(self, uow: UnitOfWorkFactory, tokens: TokenService) -> None:
        self._uow = uow
        self._tokens = tokens

    async def __call__(self, token: str) -> User:
        claims = self._tokens.read(token)
        async with self._uow() as uow:
            user = await uow.users.get(claims.user_id)
        if user is None or not user.accepts_token_version(claims.token_version):
            raise NotAuthenticated
        return user

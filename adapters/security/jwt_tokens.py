"""Access tokens as HS256 JWTs with PyJWT, the algorithm pinned and every claim required."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import jwt

from application.errors import InvalidToken
from application.ports import Clock, IssuedToken, TokenClaims
from domain.session import is_session_id
from domain.values import MAX_ID

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ("sub", "iat", "exp", "sid", "auth_time")
MIN_KEY_BYTES = 32  # RFC 7518 3.2: an HS256 key must be at least as long as the hash output
# Tolerated clock difference between hosts for a token's issue time; expiry gets none.
IAT_LEEWAY_SECONDS = 5

MAX_ID_DIGITS = len(str(MAX_ID))
# Verified tokens remembered per process: a client sends the same token with every request, and
# checking its signature again would cost more than the rest of resolving the caller.
VERIFIED_TOKENS_REMEMBERED = 4096


@dataclass(frozen=True, slots=True)
class _Verified:
    """What a token with a good signature and well-formed claims says; time is checked later."""

    user_id: int
    session_id: str
    issued_at: int
    expires_at: int
    authenticated_at: datetime


def _integer_claim(claims: dict[str, Any], name: str) -> int:
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidToken(f"claim {name} is not an integer")
    return value


class JwtTokenService:
    """Tokens carry `sub` (user id), `iat`, `exp`, `sid` (the session: when it ends, the
    token stops working) and `auth_time` (when the password was given, RFC 9470; kept across
    refreshes). All five are required.

    Time comes from the injected clock rather than PyJWT's own, so expiry follows the same time
    as everything else and tests can move it.
    """

    def __init__(
        self, secret_key: str, clock: Clock, lifetime: timedelta = timedelta(minutes=30)
    ) -> None:
        if len(secret_key.encode("utf-8")) < MIN_KEY_BYTES:
            raise ValueError(f"the token secret key must be at least {MIN_KEY_BYTES} bytes")
        if lifetime <= timedelta(0):
            raise ValueError("the token lifetime must be positive")
        self._key = secret_key
        self._clock = clock
        self._lifetime = int(lifetime.total_seconds())
        # Keyed by the whole token: the same text always verifies the same way. Failures raise,
        # so they are never remembered.
        self._verified = lru_cache(maxsize=VERIFIED_TOKENS_REMEMBERED)(self._verify)

    def issue(self, user_id: int, session_id: str, authenticated_at: datetime) -> IssuedToken:
        issued_at = int(self._clock.now().timestamp())
        claims = {
            "sub": str(user_id),
            "iat": issued_at,
            "exp": issued_at + self._lifetime,
            "sid": session_id,
            "auth_time": int(authenticated_at.timestamp()),
        }
        token = jwt.encode(claims, self._key, algorithm=ALGORITHM)
        return IssuedToken(access_token=token, expires_in=self._lifetime)

    def read(self, token: str) -> TokenClaims:
        verified = self._verified(token)
        now = self._clock.now().timestamp()
        if now >= verified.expires_at:
            raise InvalidToken("the token has expired")
        if verified.issued_at > now + IAT_LEEWAY_SECONDS:
            raise InvalidToken("the token was issued in the future")
        return TokenClaims(
            user_id=verified.user_id,
            session_id=verified.session_id,
            authenticated_at=verified.authenticated_at,
        )

    def _verify(self, token: str) -> _Verified:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                options={
                    "require": list(REQUIRED_CLAIMS),
                    "verify_exp": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from None
        subject = claims["sub"]
        if (
            not isinstance(subject, str)
            or not subject.isascii()
            or not subject.isdigit()
            or not 0 < int(subject[: MAX_ID_DIGITS + 1]) <= MAX_ID
        ):
            raise InvalidToken("claim sub is not a user id")
        session_id = claims["sid"]
        if not isinstance(session_id, str) or not is_session_id(session_id):
            raise InvalidToken("claim sid is not a session id")
        auth_time = _integer_claim(claims, "auth_time")
        try:
            authenticated_at = datetime.fromtimestamp(auth_time, UTC)
        except (OverflowError, OSError, ValueError):
            raise InvalidToken("claim auth_time is not a time") from None
        return _Verified(
            user_id=int(subject),
            session_id=session_id,
            issued_at=_integer_claim(claims, "iat"),
            expires_at=_integer_claim(claims, "exp"),
            authenticated_at=authenticated_at,
        )

"""Opaque tokens: random strings a client holds and the service knows only by their hash.

A refresh token (and, later, a password-reset or verification link) is 256 bits from the
operating system's CSPRNG. The service stores the SHA-256 digest alone: a token that random
cannot be guessed from its digest, so a fast hash is the right one (bcrypt protects guessable
secrets, and would cost every refresh a bcrypt round). A copy of the table gives nobody a token.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field

TOKEN_BYTES = 32
"""256 bits of randomness (the contract's minimum)."""
TOKEN_CHARS = 43
"""The length of TOKEN_BYTES in unpadded URL-safe base64: every issued token has it."""
DIGEST_CHARS = 64
_TOKEN_RE = re.compile(rf"[A-Za-z0-9_-]{{{TOKEN_CHARS}}}", re.ASCII)


def digest_of(token: str) -> str | None:
    """The digest a token issued by this service would be stored under, or None when the text
    cannot be one (wrong length or characters): that is answered without any look-up."""
    if not _TOKEN_RE.fullmatch(token):
        return None
    return hashlib.sha256(token.encode("ascii")).hexdigest()


@dataclass(frozen=True, slots=True)
class OpaqueToken:
    """A new token: `plain` goes to the client once, `digest` to the store."""

    plain: str = field(repr=False)
    digest: str

    @classmethod
    def new(cls) -> OpaqueToken:
        plain = secrets.token_urlsafe(TOKEN_BYTES)
        digest = digest_of(plain)
        if digest is None:  # token_urlsafe(32) is always 43 URL-safe characters
            raise AssertionError("secrets.token_urlsafe changed its output")
        return cls(plain, digest)

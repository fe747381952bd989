"""Password hashing with bcrypt and access tokens with PyJWT."""

from adapters.security.bcrypt_hasher import BcryptPasswordHasher
from adapters.security.jwt_tokens import JwtTokenService

__all__ = ["BcryptPasswordHasher", "JwtTokenService"]

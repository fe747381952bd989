"""Configuration from the environment and a `.env` file, read once at start-up."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///itemhub.db"
MIN_SECRET_KEY_BYTES = 32
DEV_SECRET_FILE = Path(".itemhub-secret")


class ConfigurationError(Exception):
    """The settings cannot work; the message is one line for an operator."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ITEMHUB_", env_file=".env", extra="ignore", frozen=True
    )

    env: Literal["development", "production"] = "development"
    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        validation_alias=AliasChoices("ITEMHUB_DATABASE_URL", "DATABASE_URL", "database_url"),
        description="memory://, a SQLite file (the default, in the working directory) or "
        "PostgreSQL; container.DATABASES says which adapter serves which scheme.",
    )
    secret_key: SecretStr | None = None
    access_token_expire_minutes: int = Field(default=30, ge=1, le=60 * 24 * 30)
    bcrypt_rounds: int = Field(default=12, ge=4, le=31)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    login_max_failures_per_account: int = Field(default=10, ge=1)
    login_max_failures_per_address: int = Field(default=100, ge=1)
    login_failure_window_seconds: int = Field(default=300, ge=1)
    rate_limit_storage_url: str = "memory://"
    registrations_per_address_per_hour: int = Field(default=20, ge=1)
    max_pending_hashes: int = Field(default=32, ge=1)
    recent_login_minutes: int = Field(default=10, ge=1)
    session_idle_days: int = Field(default=14, ge=1, le=3650)
    session_max_days: int = Field(default=30, ge=1, le=3650)

    mail_url: str = Field(
        default="console://",
        description="console:// (mail written to the log), smtp://[user:password@]host:port "
        "(STARTTLS when offered) or smtps://... (TLS from the start); container.MAILERS says "
        "which adapter serves which scheme.",
    )
    mail_from: str = "itemhub <no-reply@localhost>"
    public_url: str = "http://127.0.0.1:8000"
    mail_relay_in_serve: bool = True
    mail_max_attempts: int = Field(default=8, ge=1, le=100)
    mail_first_retry_seconds: float = Field(default=30.0, gt=0)
    mail_relay_poll_seconds: float = Field(default=1.0, gt=0)
    mail_timeout_seconds: float = Field(default=30.0, gt=0)
    password_reset_minutes: int = Field(default=30, ge=1, le=60 * 24)
    email_verification_hours: int = Field(default=48, ge=1, le=24 * 30)
    require_verified_email: bool = False
    mail_requests_per_address_per_hour: int = Field(default=20, ge=1)
    mail_requests_per_email_per_hour: int = Field(default=5, ge=1)

    metrics_enabled: bool = True
    log_format: Literal["text", "json"] = "text"
    docs_enabled: bool = True

    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=0, ge=0)
    db_pool_timeout_seconds: float = Field(default=2.0, gt=0)
    db_connect_timeout_seconds: float = Field(default=2.0, gt=0)
    db_request_timeout_seconds: float = Field(default=2.0, gt=0)
    db_statement_timeout_seconds: float = Field(default=15.0, gt=0)
    sqlite_busy_timeout_seconds: float = Field(default=5.0, gt=0)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("rate_limit_storage_url")
    @classmethod
    def _known_storage(cls, url: str) -> str:
        if not url.startswith(("memory://", "redis://", "rediss://")):
            raise ValueError("use memory:// for one process or redis://host:6379 for several")
        return url

    @field_validator("public_url")
    @classmethod
    def _absolute_url(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError("links in mails need an absolute http:// or https:// URL")
        return url.rstrip("/")

    @model_validator(mode="after")
    def _production_needs_a_strong_secret(self) -> Settings:
        if self.env == "production":
            key = self.secret_key.get_secret_value() if self.secret_key else ""
            if len(key.encode("utf-8")) < MIN_SECRET_KEY_BYTES:
                raise ValueError(
                    f"ITEMHUB_ENV=production needs ITEMHUB_SECRET_KEY of at least "
                    f"{MIN_SECRET_KEY_BYTES} bytes (for example: openssl rand -hex 32)"
                )
        elif (
            self.secret_key is not None
            and len(self.secret_key.get_secret_value()) < MIN_SECRET_KEY_BYTES
        ):
            raise ValueError(f"ITEMHUB_SECRET_KEY must be at least {MIN_SECRET_KEY_BYTES} bytes")
        return self

    def token_secret(self, dev_secret_file: Path = DEV_SECRET_FILE) -> str:
        """The configured key; in development without one, a generated key kept in a git-ignored
        file, so tokens survive a restart without anyone committing a secret."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        if self.env == "production":  # the validator makes this unreachable; keep it loud
            raise ConfigurationError("ITEMHUB_ENV=production needs ITEMHUB_SECRET_KEY")
        return _development_secret(dev_secret_file)


def _development_secret(path: Path) -> str:
    try:
        existing = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        existing = ""
    if len(existing) >= MIN_SECRET_KEY_BYTES:
        return existing
    secret = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(secret + "\n")
    return secret

"""Configuration from the environment and a `.env` file, read once at start-up."""

from __future__ import annotations

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.sql import DatabaseOptions, normalise_url

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///itemhub.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ITEMHUB_", env_file=".env", extra="ignore", frozen=True
    )

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        validation_alias=AliasChoices("ITEMHUB_DATABASE_URL", "DATABASE_URL"),
        description="SQLite file (the default, in the working directory) or PostgreSQL.",
    )
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    db_pool_timeout_seconds: float = Field(default=5.0, gt=0)
    db_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    db_statement_timeout_seconds: float = Field(default=15.0, gt=0)
    sqlite_busy_timeout_seconds: float = Field(default=5.0, gt=0)

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, url: str) -> str:
        """Fail at start-up, in one line, rather than at the first request."""
        return normalise_url(url).render_as_string(hide_password=False)

    def database_options(self) -> DatabaseOptions:
        return DatabaseOptions(
            pool_size=self.db_pool_size,
            max_overflow=self.db_max_overflow,
            pool_timeout_seconds=self.db_pool_timeout_seconds,
            connect_timeout_seconds=self.db_connect_timeout_seconds,
            statement_timeout_seconds=self.db_statement_timeout_seconds,
            sqlite_busy_timeout_seconds=self.sqlite_busy_timeout_seconds,
        )

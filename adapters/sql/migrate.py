"""Applying the Alembic migrations from code, for `itemhub migrate` and the tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(database_url: str | None = None) -> Config:
    """A configuration that finds the migrations wherever itemhub is installed or run from."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if database_url is not None:
        config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate the database; call it where no event loop runs (the migrations start their own)."""
    command.upgrade(alembic_config(database_url), revision)

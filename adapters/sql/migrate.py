"""Applying the Alembic migrations from code, for `itemhub migrate` and the tests."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from alembic import command
from alembic.config import Config

from application.ports import Migrated

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(database_url: str | None = None) -> Config:
    """A configuration that finds the migrations wherever itemhub is installed or run from."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if database_url is not None:
        config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> Migrated:
    """Migrate the database; what was applied, and where it is now. The async env.py starts
    its own event loop, so when one already runs in this thread the migration runs in a
    helper thread (blocking: it is a one-off)."""
    config = alembic_config(database_url)
    applied: list[str] = []
    config.attributes["applied"] = applied
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        command.upgrade(config, revision)
    else:
        with ThreadPoolExecutor(max_workers=1) as helper:
            helper.submit(command.upgrade, config, revision).result()
    return Migrated(tuple(applied), config.attributes.get("current"))

"""`itemhub migrate` as a real process on empty databases gives the schema the models describe."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from adapters.options import DatabaseOptions
from adapters.sql import metadata
from adapters.sql.engine import create_engine
from tests.e2e.processes import itemhub


def run_migrate(database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return itemhub("migrate", cwd=cwd, env={"ITEMHUB_DATABASE_URL": database_url})


def schema_differences(database_url: str) -> list[Any]:
    def compare(connection: Connection) -> list[Any]:
        return list(compare_metadata(MigrationContext.configure(connection), metadata))

    async def run() -> list[Any]:
        engine = create_engine(database_url, DatabaseOptions(pooled=False))
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(compare)
        finally:
            await engine.dispose()

    return asyncio.run(run())


# SQLite cannot reflect expression indexes (lower(email)); the PostgreSQL case compares them.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings(
    "ignore:autogenerate skipping metadata-specified expression-based index"
)
def test_migrate_builds_the_models_schema_and_is_idempotent(
    fresh_database: str, tmp_path: Path
) -> None:
    first = run_migrate(fresh_database, tmp_path)
    assert first.returncode == 0, first.stderr
    assert "applied 0001, 0002, 0003; now at 0003." in first.stdout
    assert schema_differences(fresh_database) == []
    again = run_migrate(fresh_database, tmp_path)  # a second run is a no-op, not an error
    assert again.returncode == 0, again.stderr
    assert "is already at 0003: nothing to apply." in again.stdout
    assert schema_differences(fresh_database) == []


def test_migrate_reports_an_unreachable_database_in_one_line(tmp_path: Path) -> None:
    result = run_migrate("postgresql://itemhub:s3cret@127.0.0.1:9/itemhub", tmp_path)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "cannot migrate" in result.stderr
    assert "s3cret" not in result.stderr + result.stdout

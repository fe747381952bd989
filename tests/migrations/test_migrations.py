"""pytest-alembic's built-in checks, and a stairway, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.config import Config
from pytest_alembic import MigrationContext, runner, tests
from pytest_alembic.config import Config as PytestAlembicConfig
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.options import DatabaseOptions
from adapters.sql.engine import create_engine
from adapters.sql.migrate import alembic_config


@pytest.fixture
def engine(fresh_database: str) -> Iterator[AsyncEngine]:
    engine = create_engine(fresh_database, DatabaseOptions(pooled=False))
    yield engine
    asyncio.run(engine.dispose())


@pytest.fixture
def alembic_runner(engine: AsyncEngine) -> Iterator[MigrationContext]:
    config = PytestAlembicConfig.from_raw_config(alembic_config())
    # pytest-alembic hands the engine to env.py, which runs async engines itself.
    with runner(config=config, engine=engine) as context:  # type: ignore[arg-type]
        yield context


def test_history_has_a_single_head(alembic_runner: MigrationContext) -> None:
    tests.test_single_head_revision(alembic_runner)


def test_every_revision_upgrades_from_empty(alembic_runner: MigrationContext) -> None:
    tests.test_upgrade(alembic_runner)


# SQLite cannot reflect expression indexes (lower(email)); PostgreSQL's run compares them.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings(
    "ignore:autogenerate skipping metadata-specified expression-based index"
)
def test_models_match_the_migrated_schema(alembic_runner: MigrationContext) -> None:
    tests.test_model_definitions_match_ddl(alembic_runner)


def test_all_the_way_up_and_down(alembic_runner: MigrationContext) -> None:
    tests.test_up_down_consistency(alembic_runner)


def test_stairway_each_revision_goes_up_down_and_up_again(alembic_runner: MigrationContext) -> None:
    for _ in alembic_runner.history.revisions[1:]:
        alembic_runner.roundtrip_next_revision()


def _table_names(engine: AsyncEngine) -> set[str]:
    async def read() -> set[str]:
        async with engine.connect() as connection:
            return await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))

    return asyncio.run(read())


def test_migrate_command_builds_the_schema_from_an_empty_database(
    fresh_database: str, engine: AsyncEngine
) -> None:
    config: Config = alembic_config(fresh_database)
    command.upgrade(config, "head")
    assert {"users", "items", "alembic_version"} <= _table_names(engine)
    command.upgrade(config, "head")  # a second run is a no-op, not an error
    command.downgrade(config, "base")
    assert _table_names(engine) <= {"alembic_version"}

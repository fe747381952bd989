"""Benchmark: network round trips to PostgreSQL per read, counted at the socket transport.

.venv/bin/python -m tests.benchmarks.round_trips
"""

from __future__ import annotations

import asyncio
from asyncio import selector_events
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from adapters.sql import SqlDatabase
from adapters.sql.migrate import upgrade
from adapters.sql.seeding import seed_demo_data
from application.read_models import ItemFilters
from tests.databases import create_postgres_database, drop_postgres_database

RUNS = 20


async def writes_per_call(call: Callable[[], Awaitable[Any]]) -> float:
    """Each request to PostgreSQL is one write to its socket; the answer comes back in one read."""
    await call()
    transport: Any = getattr(selector_events, "_SelectorSocketTransport")  # noqa: B009 - private
    original = transport.write
    writes = 0

    def counting(self: Any, data: Any) -> None:
        nonlocal writes
        writes += 1
        original(self, data)

    transport.write = counting
    try:
        for _ in range(RUNS):
            await call()
    finally:
        transport.write = original
    return writes / RUNS


async def measure(url: str) -> None:
    database = SqlDatabase(url)
    try:
        now = datetime.now(UTC)
        await seed_demo_data(database.engine, users=5, items=100, password_hash="x", now=now)
        listing = database.items

        async def current_user() -> None:
            async with database.unit_of_work() as uow:
                await uow.users.get(1)

        figures = {
            "items page (listing)": await writes_per_call(
                lambda: listing.page(ItemFilters(), after=None, offset=0, limit=20)
            ),
            "item by id (listing)": await writes_per_call(lambda: listing.get(1)),
            "user by id (unit of work)": await writes_per_call(current_user),
        }
    finally:
        await database.close()
    for name, writes in figures.items():
        print(f"{name:<28} {writes:.1f} round trips")


def main() -> None:
    url = create_postgres_database()
    try:
        upgrade(url)
        asyncio.run(measure(url))
    finally:
        drop_postgres_database(url)


if __name__ == "__main__":
    main()

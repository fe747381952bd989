"""Benchmark: does a keyset page deep in the listing cost what the first page costs?

Seeds ITEMS items into a fresh SQLite file and a fresh PostgreSQL database (both migrated),
then times, through the real SqlItemListing, 20-item pages: the first, a keyset page after
row DEPTH, and an offset page at DEPTH for contrast. Prints medians and 95th percentiles.

    .venv/bin/python -m tests.benchmarks.keyset_depth [--items 200000] [--depth 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql import SqlDatabase
from adapters.sql.migrate import upgrade
from adapters.sql.records import ItemRecord, UserRecord
from application.paging import ItemPosition
from application.read_models import ItemFilters
from tests.databases import (
    create_postgres_database,
    drop_postgres_database,
    postgres_unavailable_reason,
)

PAGE = 20
BATCH = 5_000
START = datetime(2026, 1, 1, tzinfo=UTC)


async def seed(engine: AsyncEngine, items: int) -> None:
    users = UserRecord.__table__  # type: ignore[attr-defined]
    table = ItemRecord.__table__  # type: ignore[attr-defined]
    async with engine.begin() as connection:
        await connection.execute(
            insert(users),
            [
                {
                    "email": f"owner{n}@example.com",
                    "username": f"owner{n}",
                    "hashed_password": "$2b$04$not-a-real-hash",
                    "is_active": True,
                    "is_superuser": False,
                    "created_at": START,
                    "updated_at": START,
                }
                for n in range(100)
            ],
        )
        owner_ids = list((await connection.execute(select(users.c.id))).scalars())
    for first in range(0, items, BATCH):
        rows = [
            {
                "title": f"Item {n}",
                "title_search": f"item {n}",
                "description": None,
                "price": Decimal(n % 10_000) / 100,
                "user_id": owner_ids[n % len(owner_ids)],
                "created_at": START + timedelta(seconds=n // 2),  # pairs share a timestamp
                "updated_at": START + timedelta(seconds=n // 2),
            }
            for n in range(first, min(first + BATCH, items))
        ]
        async with engine.begin() as connection:
            await connection.execute(insert(table), rows)
    async with engine.begin() as connection:
        await connection.execute(text("ANALYZE"))


async def timed(call: Callable[[], Awaitable[object]], runs: int) -> tuple[float, float]:
    for _ in range(5):
        await call()  # warm caches and the connection pool
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


async def measure(name: str, url: str, items: int, depth: int, runs: int) -> list[str]:
    database = SqlDatabase(url)
    try:
        started = time.perf_counter()
        await seed(database.engine, items)
        seeded = time.perf_counter() - started
        listing = database.items
        everything = ItemFilters()
        before = (await listing.page(everything, after=None, offset=depth - 1, limit=1))[0].item
        cursor = ItemPosition(before.created_at, before.id)
        top = (await listing.page(everything, after=None, offset=PAGE - 1, limit=1))[0].item
        second = ItemPosition(top.created_at, top.id)
        deep = await listing.page(everything, after=cursor, offset=0, limit=PAGE)
        offset = await listing.page(everything, after=None, offset=depth, limit=PAGE)
        same = [row.item.id for row in deep] == [row.item.id for row in offset]
        assert same, "keyset and offset disagree"
        first = await timed(
            lambda: listing.page(everything, after=None, offset=0, limit=PAGE), runs
        )
        shallow = await timed(
            lambda: listing.page(everything, after=second, offset=0, limit=PAGE), runs
        )
        keyset = await timed(
            lambda: listing.page(everything, after=cursor, offset=0, limit=PAGE), runs
        )
        skip = await timed(
            lambda: listing.page(everything, after=None, offset=depth, limit=PAGE), runs
        )
    finally:
        await database.close()
    return [
        f"{name:<10} seeded {items:,} items in {seeded:.1f} s",
        f"{'':<10} first page             p50 {first[0]:7.2f} ms  p95 {first[1]:7.2f} ms",
        f"{'':<10} keyset page @{PAGE:<7,} p50 {shallow[0]:7.2f} ms  p95 {shallow[1]:7.2f} ms",
        f"{'':<10} keyset page @{depth:,} p50 {keyset[0]:7.2f} ms  p95 {keyset[1]:7.2f} ms"
        f"  ({keyset[0] / first[0]:.2f}x the first page, {keyset[0] / shallow[0]:.2f}x page 2)",
        f"{'':<10} offset page @{depth:,} p50 {skip[0]:7.2f} ms  p95 {skip[1]:7.2f} ms"
        f"  ({skip[0] / first[0]:.0f}x the first page)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--depth", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        sqlite_url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        upgrade(sqlite_url)
        lines += asyncio.run(measure("SQLite", sqlite_url, args.items, args.depth, args.runs))
    if (reason := postgres_unavailable_reason()) is not None:
        lines.append(f"PostgreSQL skipped: {reason}")
    else:
        url = create_postgres_database()
        try:
            upgrade(url)
            lines += asyncio.run(measure("PostgreSQL", url, args.items, args.depth, args.runs))
        finally:
            drop_postgres_database(url)
    print("\n".join(lines))


if __name__ == "__main__":
    main()

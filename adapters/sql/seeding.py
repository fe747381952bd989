"""Demo data in bulk: multi-row inserts in batches, far faster than one use case per row."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.availability import translated
from adapters.sql.records import items_table, users_table

_ADJECTIVES = [
    "Brass",
    "Oak",
    "Vintage",
    "Red",
    "Tiny",
    "Folding",
    "Ceramic",
    "Woollen",
    "Steel",
    "Glass",
]
_NOUNS = [
    "lamp",
    "chair",
    "table",
    "mug",
    "bicycle",
    "camera",
    "jacket",
    "clock",
    "kettle",
    "shelf",
]


async def seed_demo_data(
    engine: AsyncEngine,
    *,
    users: int,
    items: int,
    password_hash: str,
    now: datetime,
    progress: Callable[[int], None] = lambda _done: None,
    batch_size: int = 5_000,
    seed: int | None = None,
) -> tuple[int, int]:
    """Insert `users` accounts and `items` items spread over them; returns what was inserted.

    Names carry a run tag, so seeding twice adds rather than collides. `progress` is called
    with the number of rows just written."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    tag = f"{rng.getrandbits(24):06x}"
    async with translated():
        owner_ids: list[int] = []
        for first in range(0, users, batch_size):
            rows = [
                {
                    "email": f"demo-{tag}-{n}@example.com",
                    "username": f"demo-{tag}-{n}",
                    "hashed_password": password_hash,
                    "is_active": True,
                    "is_superuser": False,
                    "email_verified": True,  # demo addresses: nobody is there to verify them
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(first, min(first + batch_size, users))
            ]
            async with engine.begin() as connection:
                await connection.execute(insert(users_table), rows)
            progress(len(rows))
        async with engine.connect() as connection:
            query = select(users_table.c.id).where(users_table.c.username.like(f"demo-{tag}-%"))
            owner_ids = list((await connection.execute(query)).scalars())
        if items and not owner_ids:
            raise ValueError("items need owners: seed at least one user")
        span = timedelta(days=365).total_seconds()
        for first in range(0, items, batch_size):
            rows = []
            for _ in range(first, min(first + batch_size, items)):
                title = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
                created = now - timedelta(seconds=rng.uniform(0, span))
                rows.append(
                    {
                        "title": title,
                        "title_search": title.lower(),
                        "description": None,
                        "price": Decimal(rng.randint(100, 100_000)) / 100,
                        "owner_id": rng.choice(owner_ids),
                        "created_at": created,
                        "updated_at": created,
                    }
                )
            async with engine.begin() as connection:
                await connection.execute(insert(items_table), rows)
            progress(len(rows))
    return users, items

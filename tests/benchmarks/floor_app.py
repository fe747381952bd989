"""The floor under itemhub: FastAPI + PyJWT + SQLAlchemy Core over asyncpg, and nothing else.

No middleware, no container, no use cases, no domain objects, no problem documents: a route, a
dependency that reads the bearer token, one Core statement on an autocommit connection, a dict
back. `make bench` serves it on itemhub's own database beside itemhub and the yardstick, so the
report shows how much of the gap to the yardstick is the chosen stack and how much is ours.

    FLOOR_DATABASE_URL=postgresql+asyncpg://... FLOOR_SECRET=... \
        uvicorn tests.benchmarks.floor_app:app
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import jwt
from fastapi import Depends, FastAPI, HTTPException, Request
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    MetaData,
    Numeric,
    String,
    Table,
    bindparam,
    select,
)
from sqlalchemy.ext.asyncio import create_async_engine

# itemhub's tables as PostgreSQL has them, declared here with plain types: nothing of ours.
_metadata = MetaData()
_users = Table(
    "users",
    _metadata,
    Column("id", BigInteger, primary_key=True),
    Column("email", String),
    Column("username", String),
    Column("is_active", Boolean),
    Column("is_superuser", Boolean),
    Column("created_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True)),
)
_items = Table(
    "items",
    _metadata,
    Column("id", BigInteger, primary_key=True),
    Column("title", String),
    Column("description", String),
    Column("price", Numeric(12, 2)),
    Column("user_id", BigInteger),
    Column("created_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True)),
)
_ME = select(
    _users.c.id,
    _users.c.email,
    _users.c.username,
    _users.c.is_active,
    _users.c.is_superuser,
    _users.c.created_at,
    _users.c.updated_at,
).where(_users.c.id == bindparam("user_id"), _users.c.is_active)
_ITEMS = (
    select(
        _items.c.id,
        _items.c.title,
        _items.c.description,
        _items.c.price,
        _items.c.user_id,
        _items.c.created_at,
        _items.c.updated_at,
        _users.c.username,
    )
    .join_from(_items, _users, _users.c.id == _items.c.user_id)
    .order_by(_items.c.created_at.desc(), _items.c.id.desc())
    .limit(bindparam("limit"))
)

_engine = create_async_engine(
    os.environ.get("FLOOR_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1/postgres"),
    pool_size=10,
    max_overflow=0,
    isolation_level="AUTOCOMMIT",
)
_SECRET = os.environ.get("FLOOR_SECRET", "")
app = FastAPI()


async def caller_id(request: Request) -> int:
    authorization = request.headers.get("authorization", "")
    try:
        claims = jwt.decode(
            authorization.removeprefix("Bearer "),
            _SECRET,
            algorithms=["HS256"],
            options={"require": ["sub", "iat", "exp"]},
        )
        return int(claims["sub"])
    except (jwt.PyJWTError, ValueError):
        raise HTTPException(401) from None


@app.get("/")
async def root() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/me")
async def me(user_id: Annotated[int, Depends(caller_id)]) -> dict[str, Any]:
    async with _engine.connect() as connection:
        row = (await connection.execute(_ME, {"user_id": user_id})).mappings().one_or_none()
    if row is None:
        raise HTTPException(401)
    return dict(row)


@app.get("/items")
async def items(limit: int = 20) -> dict[str, Any]:
    async with _engine.connect() as connection:
        rows = (await connection.execute(_ITEMS, {"limit": limit})).mappings().all()
    data = [
        {
            "id": row["id"],
            "title": row["title"],
            "description": row["description"],
            "price": row["price"],
            "user_id": row["user_id"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
            "owner": {"id": row["user_id"], "username": row["username"]},
        }
        for row in rows
    ]
    return {"data": data, "next_cursor": None}

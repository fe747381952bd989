"""Bounds every persistence adapter is built with; an adapter uses those that apply to it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


class PoolObserver(Protocol):
    """Told how a database's connections are used (the operator's metrics watch it)."""

    def watch_pool(self, in_use: Callable[[], int]) -> None:
        """`in_use()` tells how many connections are held now, in this process. It is read
        when the metrics are sampled, so taking and giving back a connection (twice in every
        request) costs the metrics nothing."""
        ...

    def waited(self) -> None:
        """A request had to wait for a connection (all were in use)."""
        ...


@dataclass(frozen=True, slots=True)
class DatabaseOptions:
    """Bounds that keep a slow or absent database from hanging requests."""

    pool_size: int = 10
    max_overflow: int = 0
    """Connections opened past `pool_size` are closed again as soon as they are returned: under
    steady load that is a new connection (and its start-up cost) per request. A fixed pool has
    requests wait up to `pool_timeout_seconds` for a connection instead."""
    pool_timeout_seconds: float = 2.0
    connect_timeout_seconds: float = 2.0
    statement_timeout_seconds: float = 15.0
    """Any one statement, for work that may take long (migrations, seeding)."""
    request_timeout_seconds: float | None = 2.0
    """All of one connection's use by a request (waiting for it, connecting, its statements):
    past it, the request gets 503. None for one-shot work. Applies to networked databases;
    SQLite's only wait is its write lock's (sqlite_busy_timeout_seconds)."""
    sqlite_busy_timeout_seconds: float = 5.0
    echo: bool = False
    pooled: bool = True
    """False for one-shot work (migrations, scripts): connections then never outlive their loop."""
    observer: PoolObserver | None = None

"""First come, first served: requests wait for a pooled connection in the order they asked.

SQLAlchemy's asyncio pool waits on an `asyncio.Queue`, where a request arriving just as a
connection comes back takes it ahead of those already waiting, and a waiter that loses goes
back to the end of the line. Under saturation the mean barely moves but the tail does: items
page at 32 connections on a pool of 10, p99 104-112 ms (BENCHMARKS.md). asyncio's Semaphore
hands a released permit to the first waiter and lets no newcomer past one, so a gate of as
many permits as the pool has connections keeps the pool itself from ever making anyone wait.
"""

from __future__ import annotations

import asyncio

from adapters.options import PoolObserver
from application.errors import StorageUnavailable


class ConnectionGate:
    def __init__(
        self, permits: int | None, timeout_seconds: float, observer: PoolObserver | None = None
    ) -> None:
        """`permits=None` gates nothing (a pool that never makes anyone wait, like SQLite's)."""
        self._semaphore = asyncio.Semaphore(permits) if permits is not None else None
        self._timeout = timeout_seconds
        self._observer = observer
        self._in_use = 0
        if observer is not None:
            observer.watch_pool(self.in_use)

    def in_use(self) -> int:
        """Connections held now (taken through this gate and not given back)."""
        return self._in_use

    async def acquire(self) -> None:
        """Take one of the pool's connections' worth of permission; `release()` gives it back.

        A free permit is taken at once, with no timer armed: that is most requests. Waiting
        is bounded by `asyncio.timeout`, not `asyncio.wait_for`, which on Python 3.11 can
        swallow a cancellation that arrives as the permit is granted (and with it the
        request's own deadline)."""
        semaphore = self._semaphore
        if semaphore is not None:
            if semaphore.locked():
                await self._wait(semaphore)
            else:
                await semaphore.acquire()
        self._in_use += 1

    async def _wait(self, semaphore: asyncio.Semaphore) -> None:
        if self._observer is not None:
            self._observer.waited()
        try:
            async with asyncio.timeout(self._timeout):
                await semaphore.acquire()
        except TimeoutError:
            raise StorageUnavailable(
                f"no database connection came free within {self._timeout:g} s"
            ) from None

    def release(self) -> None:
        if self._semaphore is not None:
            self._semaphore.release()
        self._in_use -= 1

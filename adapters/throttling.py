"""Login throttling with the `limits` library: in memory for one process, Redis for several."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

if TYPE_CHECKING:
    import coredis


def _redis_pool(url: str) -> coredis.ConnectionPool:
    import coredis  # noqa: PLC0415 - costs most of a second to import; only Redis users pay

    return coredis.ConnectionPool.from_url(url)


class LimitsLoginThrottle:
    """Moving windows: `per_account` failures for one account from one address, and
    `per_address` failures from one address, within `window_seconds`."""

    def __init__(
        self,
        storage_url: str = "memory://",
        *,
        per_account: int = 10,
        per_address: int = 100,
        window_seconds: int = 300,
    ) -> None:
        url = storage_url.removeprefix("async+")
        # Own the Redis connection pool, so close() can release its sockets at shutdown.
        self._pool = _redis_pool(url) if url.startswith("redis") else None
        options = {"connection_pool": self._pool} if self._pool is not None else {}
        # limits types its options as scalars, though its Redis storages take a pool.
        storage = storage_from_string(f"async+{url}", **options)  # type: ignore[arg-type]
        self._limiter = MovingWindowRateLimiter(storage)
        self._account_limit: RateLimitItem = RateLimitItemPerSecond(per_account, window_seconds)
        self._address_limit: RateLimitItem = RateLimitItemPerSecond(per_address, window_seconds)

    async def retry_after(self, account: str, address: str) -> float | None:
        for limit, keys in (
            (self._account_limit, ("login", account, address)),
            (self._address_limit, ("login-address", address)),
        ):
            if not await self._limiter.test(limit, *keys):
                stats = await self._limiter.get_window_stats(limit, *keys)
                return max(stats.reset_time - time.time(), 0.0)
        return None

    async def record_failure(self, account: str, address: str) -> None:
        await self._limiter.hit(self._account_limit, "login", account, address)
        await self._limiter.hit(self._address_limit, "login-address", address)

    async def record_success(self, account: str, address: str) -> None:
        await self._limiter.clear(self._account_limit, "login", account, address)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.disconnect()

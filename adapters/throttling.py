"""Login throttling with the `limits` library: in memory for one process, Redis for several."""

from __future__ import annotations

import time

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string


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
        url = storage_url if storage_url.startswith("async+") else f"async+{storage_url}"
        self._limiter = MovingWindowRateLimiter(storage_from_string(url))
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

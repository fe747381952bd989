"""Attempt limits in moving windows: in memory for one process, in Redis for several.

Each attempt is an entry with its time under every quota it counts against; a quota is spent
when it holds `limit` entries younger than its window. Taking an attempt checks and adds under
all its quotas in one atomic step (one event-loop step in memory, one Lua script in Redis), so
a burst of parallel requests gets exactly the limit and no more; an attempt that does not
count is removed again by its token. Keys are hashed: bounded in size whatever a client sends,
and no login name or address is kept in clear.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from typing import Any

from application.ports import Quota, Reservation

KEY_PREFIX = "itemhub:attempts:"


def stored_key(quota: Quota) -> str:
    return KEY_PREFIX + hashlib.sha256(quota.key.encode("utf-8", "surrogatepass")).hexdigest()


class MemoryAttemptLimiter:
    """For one process: each worker of `itemhub serve --workers N` counts on its own."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: dict[str, dict[str, float]] = {}  # key -> token -> time, oldest first
        self._windows: dict[str, int] = {}
        self._next_sweep = 0.0

    def _live(self, key: str, window: int, now: float) -> dict[str, float]:
        entries = self._entries.get(key, {})
        for token, taken in list(entries.items()):
            if taken > now - window:
                break
            del entries[token]
        return entries

    def _sweep(self, now: float) -> None:
        """Forget keys whose every attempt has expired, so memory follows the live window."""
        if now < self._next_sweep:
            return
        for key in [k for k, window in self._windows.items() if not self._live(k, window, now)]:
            self._entries.pop(key, None)
            self._windows.pop(key, None)
        self._next_sweep = now + 60

    async def reserve(self, *quotas: Quota) -> Reservation:
        now = self._clock()
        self._sweep(now)
        keys = [stored_key(quota) for quota in quotas]
        wait = 0.0
        for quota, key in zip(quotas, keys, strict=True):
            entries = self._live(key, quota.window_seconds, now)
            if len(entries) >= quota.limit:
                frees_next = list(entries.values())[len(entries) - quota.limit]
                wait = max(wait, frees_next + quota.window_seconds - now)
        if wait > 0:
            return Reservation(quotas, "", wait)
        token = uuid.uuid4().hex
        for quota, key in zip(quotas, keys, strict=True):
            self._entries.setdefault(key, {})[token] = now
            self._windows[key] = max(self._windows.get(key, 0), quota.window_seconds)
        return Reservation(quotas, token)

    async def give_back(self, reservation: Reservation) -> None:
        for quota in reservation.quotas:
            self._entries.get(stored_key(quota), {}).pop(reservation.token, None)

    async def reset(self, quota: Quota) -> None:
        self._entries.pop(stored_key(quota), None)

    async def close(self) -> None:
        """Nothing to release."""


# KEYS: the quotas' keys; ARGV: the token, then each quota's limit and window in ms.
# Time is the Redis server's, the one clock every worker and host shares.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i])
  local window = tonumber(ARGV[2 * i + 1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count >= limit then
    local frees = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
    wait = math.max(wait, tonumber(frees[2]) + window - now)
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[1])
  redis.call('PEXPIRE', key, tonumber(ARGV[2 * i + 1]))
end
return 0
"""


class RedisAttemptLimiter:
    """Shared by every worker and host that uses the same Redis."""

    def __init__(self, url: str) -> None:
        import redis.asyncio  # noqa: PLC0415 - only deployments that use Redis load it

        self._redis: Any = redis.asyncio.Redis.from_url(url)
        self._reserve = self._redis.register_script(_RESERVE)

    async def reserve(self, *quotas: Quota) -> Reservation:
        token = uuid.uuid4().hex
        arguments: list[str | int] = [token]
        for quota in quotas:
            arguments += [quota.limit, quota.window_seconds * 1000]
        keys = [stored_key(quota) for quota in quotas]
        wait_ms = int(await self._reserve(keys=keys, args=arguments))
        return Reservation(quotas, token if wait_ms == 0 else "", wait_ms / 1000)

    async def give_back(self, reservation: Reservation) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            for quota in reservation.quotas:
                pipe.zrem(stored_key(quota), reservation.token)
            await pipe.execute()

    async def reset(self, quota: Quota) -> None:
        await self._redis.delete(stored_key(quota))

    async def close(self) -> None:
        await self._redis.aclose()


def open_attempt_limiter(url: str) -> MemoryAttemptLimiter | RedisAttemptLimiter:
    """`memory://` for one process, `redis://host:6379` (or `rediss://`) to share the counts."""
    if url.startswith(("redis://", "rediss://")):
        return RedisAttemptLimiter(url)
    if url.startswith("memory://"):
        return MemoryAttemptLimiter()
    raise ValueError("use memory:// for one process or redis://host:6379 for several")

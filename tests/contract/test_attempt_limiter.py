"""The attempt limiter's promises, with identical assertions in memory and in Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from adapters.throttling import MemoryAttemptLimiter, RedisAttemptLimiter, stored_key
from application.ports import AttemptLimiter, Quota
from tests.databases import REDIS_URL, require_redis


@pytest.fixture(params=["memory", "redis"])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[AttemptLimiter]:
    if request.param == "memory":
        yield MemoryAttemptLimiter()
        return
    require_redis()
    redis = RedisAttemptLimiter(REDIS_URL)
    yield redis
    await redis.close()


def quota(limit: int = 3, window: int = 60) -> Quota:
    """A key of this test's own: the Redis server is shared with other tests."""
    return Quota(f"test:{uuid.uuid4().hex}", limit, window)


async def test_grants_up_to_the_limit_then_says_when(limiter: AttemptLimiter) -> None:
    three = quota(limit=3, window=60)
    granted = [await limiter.reserve(three) for _ in range(3)]
    assert all(each.granted for each in granted)
    refused = await limiter.reserve(three)
    assert not refused.granted
    assert 59 <= refused.retry_after <= 60


async def test_a_parallel_burst_gets_exactly_the_limit(limiter: AttemptLimiter) -> None:
    ten = quota(limit=10)
    results = await asyncio.gather(*(limiter.reserve(ten) for _ in range(100)))
    assert sum(result.granted for result in results) == 10


async def test_quotas_are_taken_together_or_not_at_all(limiter: AttemptLimiter) -> None:
    wide, narrow = quota(limit=5), quota(limit=1)
    assert (await limiter.reserve(wide, narrow)).granted
    assert not (await limiter.reserve(wide, narrow)).granted  # narrow is spent...
    for _ in range(4):  # ...so wide still has its 4 left
        assert (await limiter.reserve(wide)).granted
    assert not (await limiter.reserve(wide)).granted


async def test_a_given_back_attempt_is_free_again(limiter: AttemptLimiter) -> None:
    two, shared = quota(limit=2), quota(limit=2)
    first = await limiter.reserve(two, shared)
    await limiter.reserve(two, shared)
    await limiter.give_back(first)
    assert (await limiter.reserve(two, shared)).granted
    assert not (await limiter.reserve(two)).granted


async def test_reset_forgets_a_key_and_only_that_key(limiter: AttemptLimiter) -> None:
    one, other = quota(limit=1), quota(limit=1)
    await limiter.reserve(one, other)
    await limiter.reset(one)
    assert (await limiter.reserve(one)).granted
    assert not (await limiter.reserve(other)).granted


async def test_attempts_leave_the_window_when_it_moves_on(limiter: AttemptLimiter) -> None:
    second = quota(limit=1, window=1)
    assert (await limiter.reserve(second)).granted
    assert not (await limiter.reserve(second)).granted
    await asyncio.sleep(1.05)
    assert (await limiter.reserve(second)).granted


def test_keys_are_bounded_and_hold_no_name_in_clear() -> None:
    key = stored_key(Quota("login:198.51.100.7:" + "x" * 10_000, 10, 300))
    assert len(key) < 100
    assert "x" not in key.removeprefix("itemhub:attempts:")
    assert "198.51" not in key


async def test_memory_forgets_keys_whose_attempts_all_expired() -> None:
    now = [0.0]
    limiter = MemoryAttemptLimiter(clock=lambda: now[0])
    for n in range(1000):
        await limiter.reserve(Quota(f"name-{n}", 10, 300))
    now[0] = 301.0
    await limiter.reserve(Quota("after the window", 10, 300))
    assert len(limiter._entries) == 1

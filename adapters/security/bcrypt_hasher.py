"""bcrypt behind the PasswordHasher port, run in a bounded thread pool off the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import bcrypt

from application.errors import HashingBusy
from domain.errors import InvalidPassword, PasswordTooLong
from domain.values import MAX_PASSWORD_BYTES

T = TypeVar("T")
MIN_ROUNDS = 4
MAX_ROUNDS = 31
_DUMMY_PASSWORD = b"itemhub: no such user, spend the time anyway"
# Hashing threads run this much nicer than the event loop (Linux schedules threads one by one).
HASHING_NICENESS = 10


def _yield_cpu_to_requests() -> None:
    """A burst of logins then takes every core the requests leave idle, but the event loop wins
    when both want one: without this, 8 concurrent logins on 2 cores doubled /users/me's p99."""
    with contextlib.suppress(OSError):  # a platform without per-thread priorities: keep going
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICENESS)


def _encode(password: str) -> bytes:
    try:
        secret = password.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidPassword("must be valid Unicode text") from None
    if len(secret) > MAX_PASSWORD_BYTES:
        raise PasswordTooLong
    return secret


class BcryptPasswordHasher:
    """Hashes cost ~2^rounds; each runs in a thread (bcrypt releases the GIL), so a login never
    stalls other requests and as many logins run at once as the pool has threads.

    Admission control: when `max_pending` hashes are already running or waiting, another is
    refused at once with HashingBusy rather than queued: a flood of registrations or logins
    cannot make everyone's login wait seconds behind it."""

    def __init__(
        self, rounds: int = 12, max_threads: int | None = None, max_pending: int = 32
    ) -> None:
        if not MIN_ROUNDS <= rounds <= MAX_ROUNDS:
            raise ValueError(f"bcrypt rounds must be between {MIN_ROUNDS} and {MAX_ROUNDS}")
        if max_pending < 1:
            raise ValueError("at least one pending hash must be admitted")
        self._rounds = rounds
        self._threads = max_threads or os.cpu_count() or 1
        self._max_pending = max_pending
        self._pending = 0
        self._seconds_per_hash = 0.0  # a moving average, for Retry-After
        self._pool: ThreadPoolExecutor | None = None
        self._dummy_hash: bytes | None = None

    @property
    def pending(self) -> int:
        """Hashes running or waiting for a thread now."""
        return self._pending

    def _retry_after(self) -> int:
        """About how long until the waiting hashes are done."""
        queue_seconds = self._seconds_per_hash * self._pending / self._threads
        return max(1, math.ceil(queue_seconds))

    async def _run(self, func: Callable[..., T], *args: object) -> T:
        if self._pending >= self._max_pending:
            raise HashingBusy(self._retry_after())
        if self._pool is None:  # made on first use, and again after close()
            self._pool = ThreadPoolExecutor(
                max_workers=self._threads,
                thread_name_prefix="bcrypt",
                initializer=_yield_cpu_to_requests,
            )

        def timed() -> T:
            started = time.perf_counter()
            try:
                return func(*args)
            finally:  # the hash alone, not its wait for a thread
                spent = time.perf_counter() - started
                self._seconds_per_hash = 0.8 * self._seconds_per_hash + 0.2 * spent

        self._pending += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, timed)
        finally:
            self._pending -= 1

    async def hash(self, password: str) -> str:
        secret = _encode(password)
        hashed = await self._run(bcrypt.hashpw, secret, bcrypt.gensalt(self._rounds))
        return hashed.decode("ascii")

    async def verify(self, password: str, hashed: str | None) -> bool:
        try:
            secret: bytes | None = _encode(password)
        except InvalidPassword:
            secret = None  # no stored password can match it, but answer in the usual time
        if hashed is None or secret is None:
            await self._run(
                bcrypt.checkpw, (secret or b"")[:MAX_PASSWORD_BYTES], await self._dummy()
            )
            return False
        try:
            return await self._run(bcrypt.checkpw, secret, hashed.encode("ascii"))
        except ValueError:  # a stored value that is not a bcrypt hash matches nothing
            return False

    async def _dummy(self) -> bytes:
        """A hash at the configured cost, so checking against it takes as long as a real one."""
        if self._dummy_hash is None:
            self._dummy_hash = await self._run(
                bcrypt.hashpw, _DUMMY_PASSWORD, bcrypt.gensalt(self._rounds)
            )
        return self._dummy_hash

    def close(self) -> None:
        """Release the threads; a later hash starts a new pool (an app may be started again)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

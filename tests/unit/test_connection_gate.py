"""The gate in front of the SQL pool serves waiters first come, first served."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from adapters.sql.gate import ConnectionGate
from application.errors import StorageUnavailable


@asynccontextmanager
async def held(gate: ConnectionGate) -> AsyncIterator[None]:
    await gate.acquire()
    try:
        yield
    finally:
        gate.release()


async def _take(gate: ConnectionGate, name: str, order: list[str], hold: asyncio.Event) -> None:
    async with held(gate):
        order.append(name)
        await hold.wait()


async def test_a_newcomer_does_not_overtake_a_waiter() -> None:
    """The newcomer is ready to run before the waiter is woken, as requests are on a busy
    loop: a queue would hand it the connection just returned (SQLAlchemy's pool does)."""
    gate = ConnectionGate(1, timeout_seconds=5)
    order: list[str] = []
    go = asyncio.Event()
    go.set()
    holding = held(gate)
    await holding.__aenter__()
    waiter = asyncio.create_task(_take(gate, "waiter", order, go))
    await asyncio.sleep(0)  # the waiter is waiting
    newcomer = asyncio.create_task(_take(gate, "newcomer", order, go))
    await asyncio.sleep(0)  # the newcomer has asked; its request is ready to run
    await holding.__aexit__(None, None, None)  # the waiter is woken after it
    await asyncio.gather(waiter, newcomer)
    assert order == ["waiter", "newcomer"]


async def test_waiters_are_served_in_arrival_order() -> None:
    gate = ConnectionGate(2, timeout_seconds=5)
    order: list[str] = []
    release = asyncio.Event()
    holders = [asyncio.create_task(_take(gate, f"h{n}", order, release)) for n in range(2)]
    await asyncio.sleep(0)
    done = asyncio.Event()
    done.set()
    waiters = []
    for n in range(6):
        waiters.append(asyncio.create_task(_take(gate, f"w{n}", order, done)))
        await asyncio.sleep(0)
    release.set()
    await asyncio.gather(*holders, *waiters)
    assert order == ["h0", "h1", "w0", "w1", "w2", "w3", "w4", "w5"]


async def test_waiting_past_the_timeout_is_storage_unavailable() -> None:
    gate = ConnectionGate(1, timeout_seconds=0.05)
    release = asyncio.Event()
    holder = asyncio.create_task(_take(gate, "holder", [], release))
    await asyncio.sleep(0)
    with pytest.raises(StorageUnavailable) as raised:
        async with held(gate):
            pass
    assert raised.value.reason == "no database connection came free within 0.05 s"
    release.set()
    await holder
    async with held(gate):  # the timed-out waiter left no permit behind, nor took one
        pass


async def test_an_open_gate_never_waits() -> None:
    gate = ConnectionGate(None, timeout_seconds=0)
    async with held(gate), held(gate), held(gate):
        pass

"""The gate in front of the SQL pool serves waiters first come, first served."""

from __future__ import annotations

import asyncio

import pytest

from adapters.sql.gate import ConnectionGate
from application.errors import StorageUnavailable


async def _take(gate: ConnectionGate, name: str, order: list[str], hold: asyncio.Event) -> None:
    async with gate.held():
        order.append(name)
        await hold.wait()


async def test_a_newcomer_does_not_overtake_a_waiter() -> None:
    gate = ConnectionGate(1, timeout_seconds=5)
    order: list[str] = []
    release = asyncio.Event()
    done = asyncio.Event()
    done.set()
    holder = asyncio.create_task(_take(gate, "holder", order, release))
    await asyncio.sleep(0)
    waiter = asyncio.create_task(_take(gate, "waiter", order, done))
    await asyncio.sleep(0)
    release.set()
    await asyncio.sleep(0)  # the holder leaves; its permit is handed to the waiter
    newcomer = asyncio.create_task(_take(gate, "newcomer", order, done))
    await asyncio.gather(holder, waiter, newcomer)
    assert order == ["holder", "waiter", "newcomer"]


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
        async with gate.held():
            pass
    assert raised.value.reason == "no database connection came free within 0.05 s"
    release.set()
    await holder
    async with gate.held():  # the timed-out waiter left no permit behind, nor took one
        pass


async def test_an_open_gate_never_waits() -> None:
    gate = ConnectionGate(None, timeout_seconds=0)
    async with gate.held(), gate.held(), gate.held():
        pass

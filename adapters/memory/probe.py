"""Readiness of the in-memory adapter: it is there as long as the process is."""

from __future__ import annotations


class InMemoryDatabaseProbe:
    async def check(self) -> None:
        return None

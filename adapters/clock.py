"""Clocks: the system's for production, a settable one for tests and reproducible runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """Stands still until told to move, so tests can check timestamps and expiry exactly."""

    def __init__(self, start: datetime) -> None:
        if start.utcoffset() is None:
            raise ValueError("the clock needs a timezone-aware start time")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        if moment.utcoffset() is None:
            raise ValueError("the clock needs a timezone-aware time")
        self._now = moment.astimezone(UTC)

"""Removing what no longer does anything: `itemhub purge`."""

from __future__ import annotations

from dataclasses import dataclass

from application.ports import Clock, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class Purged:
    sessions: int
    account_tokens: int
    mails: int


class Purge:
    """Delete ended and expired sessions with their refresh tokens (every refresh leaves a
    spent one behind), spent and expired reset and verification tokens, and sent mail. None
    of them authenticates or delivers anything any more; failed mail stays for the operator."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self) -> Purged:
        now = self._clock.now()
        async with self._uow() as uow:
            purged = Purged(
                sessions=await uow.sessions.purge(now),
                account_tokens=await uow.account_tokens.purge(now),
                mails=await uow.outbox.purge(),
            )
            await uow.commit()
        return purged

"""Sending the outbox: claim due mail, hand it to the mail system, record what happened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from application.errors import MailNotSent
from application.ports import Clock, Mailer, MailQueries, UnitOfWorkFactory
from domain.mail import Mail, MailState, RetryPolicy


@dataclass(frozen=True, slots=True)
class RelayReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.failed


class RelayMail:
    """One pass over the outbox (`itemhub mail-relay` and `itemhub serve` call it in a loop).

    Rules:
    - due mails are claimed in one transaction (`Outbox.claim_due`), committed before any is
      sent: a relay running beside this one (another worker, another host) gets other mails;
    - each mail is sent outside any transaction, then its outcome is written: sent (its body
      erased), retried after a growing delay, or failed with the reason after
      `RetryPolicy.max_attempts` or a permanent refusal;
    - a relay that stops between claiming and writing the outcome leaves the mail claimed for
      `lease`; after that it is due again. So no mail is lost, and one is sent twice only when
      a relay died after the mail server took it and before its outcome was written.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        mailer: Mailer,
        clock: Clock,
        policy: RetryPolicy,
        *,
        lease: timedelta = timedelta(minutes=5),
        batch: int = 20,
    ) -> None:
        self._uow = uow
        self._mailer = mailer
        self._clock = clock
        self._policy = policy
        self._lease = lease
        self.batch = batch

    async def __call__(self) -> RelayReport:
        async with self._uow() as uow:
            claimed = await uow.outbox.claim_due(self._clock.now(), self._lease, self.batch)
            await uow.commit()
        outcomes = [await self._deliver(mail) for mail in claimed]
        return RelayReport(
            sent=outcomes.count(MailState.SENT),
            retrying=outcomes.count(MailState.PENDING),
            failed=outcomes.count(MailState.FAILED),
        )

    async def _deliver(self, mail: Mail) -> MailState:
        if mail.body is None:  # cannot happen for a pending mail; never send an empty one
            mail.attempt_failed(self._clock.now(), "no body", self._policy, permanent=True)
        else:
            try:
                await self._mailer.send(mail.to.value, mail.subject, mail.body)
            except MailNotSent as error:
                mail.attempt_failed(
                    self._clock.now(), error.reason, self._policy, permanent=error.permanent
                )
            else:
                mail.sent(self._clock.now())
        async with self._uow() as uow:
            await uow.outbox.update(mail)
            await uow.commit()
        return mail.state


@dataclass(frozen=True, slots=True)
class OutboxStatus:
    counts: dict[MailState, int]
    failed: list[Mail]


class ShowOutbox:
    """How many mails wait, were sent and failed, and the latest failures with their reasons
    (`itemhub mail-status`)."""

    def __init__(self, mail: MailQueries) -> None:
        self._mail = mail

    async def __call__(self, failures: int = 10) -> OutboxStatus:
        counts = await self._mail.counts()
        return OutboxStatus(
            {state: counts.get(state, 0) for state in MailState}, await self._mail.failed(failures)
        )

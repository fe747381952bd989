"""The outbox relay as a loop: inside `itemhub serve` (one per worker) or on its own as
`itemhub mail-relay`. Several loops, on one host or many, share the work safely: each pass
claims its own mails (`RelayMail`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from application.use_cases.mail_relay import RelayMail
from entrypoints.metrics import Metrics

logger = logging.getLogger("itemhub.mail")


async def relay_until(
    stop: asyncio.Event, relay: RelayMail, poll_seconds: float, metrics: Metrics | None = None
) -> None:
    """Pass over the outbox until `stop` is set: at once again after a full batch, else after
    `poll_seconds`. A failing pass (the database is down) is logged, and tried again later."""
    while not stop.is_set():
        full_batch = False
        try:
            report = await relay()
        except Exception:
            logger.exception("mail relay pass failed; trying again in %.0f s", poll_seconds)
        else:
            full_batch = report.attempted >= relay.batch
            if metrics is not None:
                for outcome in ("sent", "retrying", "failed"):
                    if count := getattr(report, outcome):
                        metrics.mail_deliveries.labels(outcome).inc(count)
            if report.attempted:
                logger.info(
                    "mail relay: %d sent, %d to retry, %d failed",
                    report.sent,
                    report.retrying,
                    report.failed,
                )
        if full_batch:
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), poll_seconds)


class RelayTask:
    """The loop as a background task of a running server: started and stopped with it."""

    def __init__(
        self, relay: RelayMail, poll_seconds: float, metrics: Metrics | None = None
    ) -> None:
        self._relay = relay
        self._poll_seconds = poll_seconds
        self._metrics = metrics
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(
            relay_until(self._stop, self._relay, self._poll_seconds, self._metrics)
        )

    async def stop(self) -> None:
        """Let the pass under way finish (a mail being sent is not cut off), then end."""
        self._stop.set()
        if self._task is not None:
            await self._task

"""What itemhub tells Prometheus (prometheus-client): requests, the pool, 503s, logins,
throttling, the hashing queue and the outbox.

One process: each container has a registry of its own (tests build many apps in one
process). Several workers (`itemhub serve` sets PROMETHEUS_MULTIPROC_DIR before they start):
each worker writes its values to files there, and `/metrics`, whichever worker answers it,
adds up every worker's (prometheus-client's multiprocess mode). Gauges of things each worker
holds (requests in flight, connections, hashes) are summed over live workers; the outbox's
counts come from the database and are shown as last read.

Requests in flight, connections in use and pending hashes change twice in every request or
login; rather than set a gauge each time (prometheus-client's calls were half of what metrics
cost a request), they are read when sampled: by a scrape in the worker answering it, and every
second by each worker when there are several, so that the one answering reads the others'
fresh values.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from domain.mail import MailState

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# From a cached page read (~1 ms) to a login at bcrypt cost 12 under load (seconds).
LATENCY_BUCKETS = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)
SAMPLE_EVERY_SECONDS = 1.0
"""How often each of several workers samples its gauges (a scrape samples its own at once)."""
UNMATCHED_ROUTE = "unmatched"
"""The route label of a request no route matched: never the raw path (its cardinality would
be the attacker's to choose)."""


class Metrics:
    def __init__(self) -> None:
        self.multiprocess = bool(os.environ.get(MULTIPROCESS_DIR))
        self._in_flight_now: Callable[[], int] = lambda: 0
        self._pool_in_use_now: Callable[[], int] = lambda: 0
        self._hashes_pending_now: Callable[[], int] = lambda: 0
        # In multiprocess mode values live in files; a registry would only refuse duplicates.
        registry = None if self.multiprocess else CollectorRegistry()
        self._registry = registry
        self.requests = Counter(
            "itemhub_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "itemhub_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.in_flight = Gauge(
            "itemhub_http_requests_in_flight",
            "HTTP requests being answered now.",
            multiprocess_mode="livesum",
            registry=registry,
        )
        self.pool_in_use = Gauge(
            "itemhub_db_pool_connections_in_use",
            "Database connections held by requests now.",
            multiprocess_mode="livesum",
            registry=registry,
        )
        self.pool_waits = Counter(
            "itemhub_db_pool_waits",
            "Requests that had to wait for a database connection.",
            registry=registry,
        )
        self.unavailable = Counter(
            "itemhub_unavailable_responses",
            "503 answers, by cause (the problem type: database-unavailable, busy).",
            ["cause"],
            registry=registry,
        )
        self.logins = Counter(
            "itemhub_logins",
            "Password logins, by outcome: success, invalid_credentials, throttled, busy.",
            ["outcome"],
            registry=registry,
        )
        self.throttled = Counter(
            "itemhub_throttled_responses",
            "429 answers, by limit (the problem type).",
            ["limit"],
            registry=registry,
        )
        self.hashes_pending = Gauge(
            "itemhub_password_hashes_pending",
            "Password hashes running or waiting for a thread.",
            multiprocess_mode="livesum",
            registry=registry,
        )
        self.mail_deliveries = Counter(
            "itemhub_mail_deliveries",
            "Mail delivery attempts by the outbox relays, by outcome: sent, retrying, failed.",
            ["outcome"],
            registry=registry,
        )
        self.outbox = Gauge(
            "itemhub_mail_outbox",
            "Mails in the outbox, by state (pending, sent until purged, failed).",
            ["state"],
            multiprocess_mode="mostrecent",
            registry=registry,
        )

    def watch_in_flight(self, in_flight: Callable[[], int]) -> None:
        self._in_flight_now = in_flight

    def watch_hashes(self, pending: Callable[[], int]) -> None:
        self._hashes_pending_now = pending

    # adapters.options.PoolObserver
    def watch_pool(self, in_use: Callable[[], int]) -> None:
        self._pool_in_use_now = in_use

    def waited(self) -> None:
        self.pool_waits.inc()

    def outbox_counts(self, counts: dict[MailState, int]) -> None:
        for state in MailState:
            self.outbox.labels(state.value).set(counts.get(state, 0))

    def sample(self) -> None:
        """Sets the gauges that are read rather than kept up to date."""
        self.in_flight.set(self._in_flight_now())
        self.pool_in_use.set(self._pool_in_use_now())
        self.hashes_pending.set(self._hashes_pending_now())

    async def sample_every(self, seconds: float = SAMPLE_EVERY_SECONDS) -> None:
        while True:
            self.sample()
            await asyncio.sleep(seconds)

    def exposition(self) -> bytes:
        """The text format, of this process or of every worker."""
        self.sample()
        if self._registry is not None:
            return generate_latest(self._registry)
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)

"""What an operator sees: `/metrics`, the JSON log format, OpenTelemetry traces, and the docs
switch. In process, on the adapters each needs."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import logging.config
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.parser import text_string_to_metric_families

import entrypoints
from adapters.security import BcryptPasswordHasher
from entrypoints.logging import log_config
from entrypoints.metrics import Metrics
from entrypoints.tracing import install_tracing
from tests.api.conftest import PASSWORD, Api, build_api


def scrape(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, by name and sorted labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def metrics(api: Api) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await api.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return scrape(response.text)


def requests_of(samples: dict[Any, float], method: str, route: str, status: str) -> float:
    key = (
        "itemhub_http_requests_total",
        (("method", method), ("route", route), ("status", status)),
    )
    return samples.get(key, 0.0)


async def test_requests_are_counted_by_route_template_never_by_raw_path(api: Api) -> None:
    _, headers = await api.user("alice")
    item = await api.item(headers)
    for _ in range(3):
        assert (await api.client.get(f"/api/v1/items/{item['id']}")).status_code == 200
    assert (await api.client.get("/api/v1/items/999999")).status_code == 404
    assert (await api.client.get("/no/such/path/for-an-attacker")).status_code == 404
    samples = await metrics(api)
    assert requests_of(samples, "GET", "/api/v1/items/{item_id}", "200") == 3
    assert requests_of(samples, "GET", "/api/v1/items/{item_id}", "404") == 1
    assert requests_of(samples, "GET", "unmatched", "404") == 1
    assert not any("for-an-attacker" in str(labels) for _, labels in samples)
    bucket = (
        "itemhub_http_request_duration_seconds_count",
        (("method", "GET"), ("route", "/api/v1/items/{item_id}")),
    )
    assert samples[bucket] == 4
    assert samples[("itemhub_http_requests_in_flight", ())] == 1  # the scrape itself


async def test_logins_throttling_and_unavailability_are_counted(api: Api) -> None:
    await api.register("alice")
    bad = {"username": "alice", "password": "wrong password"}
    for _ in range(11):  # the 11th is past the per-name limit
        await api.client.post("/api/v1/auth/token", data=bad)
    async with api.client_from("198.51.100.99") as elsewhere:  # not throttled there
        ok = await elsewhere.post(
            "/api/v1/auth/token", data={"username": "alice", "password": PASSWORD}
        )
        assert ok.status_code == 200
    samples = await metrics(api)
    assert samples[("itemhub_logins_total", (("outcome", "invalid_credentials"),))] == 10
    assert samples[("itemhub_logins_total", (("outcome", "throttled"),))] == 1
    assert samples[("itemhub_logins_total", (("outcome", "success"),))] == 1
    limit = (("limit", "too-many-failed-logins"),)
    assert samples[("itemhub_throttled_responses_total", limit)] == 1
    assert samples[("itemhub_password_hashes_pending", ())] == 0
    outbox = {
        state: samples[("itemhub_mail_outbox", (("state", state),))]
        for state in ("pending", "sent", "failed")
    }
    assert outbox == {"pending": 1, "sent": 0, "failed": 0}  # alice's verification mail


async def test_each_worker_samples_its_counts_without_a_scrape() -> None:
    """With several workers, the one answering a scrape reads the others' gauges from their
    files: each worker must set them itself, every second, not only when it is scraped."""
    metrics = Metrics()
    held = {"connections": 0, "requests": 0}
    metrics.watch_pool(lambda: held["connections"])
    metrics.watch_in_flight(lambda: held["requests"])
    sampling = asyncio.create_task(metrics.sample_every(0.01))
    try:
        held.update(connections=3, requests=5)
        await asyncio.sleep(0.1)
        [pool] = metrics.pool_in_use.collect()
        [in_flight] = metrics.in_flight.collect()
        assert (pool.samples[0].value, in_flight.samples[0].value) == (3, 5)
    finally:
        sampling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sampling


async def test_pool_connections_are_watched(
    postgres_url: str, hasher: BcryptPasswordHasher
) -> None:
    async for api in build_api(postgres_url, hasher):
        _, headers = await api.user("alice")
        await api.item(headers)
        samples = await metrics(api)
        assert samples[("itemhub_db_pool_connections_in_use", ())] == 0  # all given back
        assert samples[("itemhub_db_pool_waits_total", ())] == 0
        async with api.container.database().unit_of_work(), api.container.database().unit_of_work():
            samples = await metrics(api)
        assert samples[("itemhub_db_pool_connections_in_use", ())] == 2  # held while scraped
        assert (await metrics(api))[("itemhub_db_pool_connections_in_use", ())] == 0


async def test_a_503_is_counted_by_its_cause(hasher: BcryptPasswordHasher) -> None:
    nothing_listens = "postgresql+asyncpg://postgres@127.0.0.1:9/itemhub"
    async for api in build_api(nothing_listens, hasher, reset=False):
        for path in ("/health/ready", "/api/v1/items"):
            assert (await api.client.get(path)).status_code == 503
        samples = await metrics(api)
        cause = (("cause", "database-unavailable"),)
        assert samples[("itemhub_unavailable_responses_total", cause)] == 2


async def test_metrics_and_docs_can_be_switched_off(
    backend: str | None, hasher: BcryptPasswordHasher
) -> None:
    async for api in build_api(backend, hasher, metrics_enabled=False, docs_enabled=False):
        for path in ("/metrics", "/docs", "/redoc", "/openapi.json", "/docs/static/swagger-ui.css"):
            assert (await api.client.get(path)).status_code == 404, path
        assert (await api.client.get("/health")).status_code == 200


async def test_docs_serve_their_own_scripts(api: Api) -> None:
    page = (await api.client.get("/docs")).text
    assert "cdn" not in page.lower()
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/docs/static/{asset}" in page
        assert (await api.client.get(f"/docs/static/{asset}")).status_code == 200
    redoc = (await api.client.get("/redoc")).text
    assert "/docs/static/redoc.standalone.js" in redoc
    assert "fonts.googleapis" not in redoc


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """`itemhub serve`'s logging with ITEMHUB_LOG_FORMAT=json, into a buffer; put back after."""
    names = ("itemhub", "uvicorn", "uvicorn.access")
    saved = {
        name: (logger.handlers[:], logger.propagate, logger.level)
        for name in names
        if (logger := logging.getLogger(name))
    }
    buffer = io.StringIO()
    config = log_config("json")
    config["handlers"]["stderr"]["stream"] = buffer
    logging.config.dictConfig(config)
    try:
        yield buffer
    finally:
        for name, (handlers, propagate, level) in saved.items():
            logger = logging.getLogger(name)
            logger.handlers, logger.propagate = handlers, propagate
            logger.setLevel(level)


async def test_json_logs_are_one_object_per_line_with_the_request_id(
    api: Api, json_lines: io.StringIO
) -> None:
    response = await api.client.get("/api/v1/items", headers={"X-Request-ID": "trace-me-42"})
    assert response.status_code == 200
    [line] = [json.loads(text) for text in json_lines.getvalue().splitlines()]
    assert line["logger"] == "itemhub.access"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/api/v1/items", 200)
    assert line["request_id"] == "trace-me-42"
    assert line["level"] == "INFO"
    assert datetime.fromisoformat(line["time"]).utcoffset() == timedelta(0)
    assert isinstance(line["duration_ms"], float)
    assert line["trace_id"] is None  # tracing is off


async def test_a_request_is_traced_into_its_sql(
    postgres_url: str, hasher: BcryptPasswordHasher, json_lines: io.StringIO
) -> None:
    async for api in build_api(postgres_url, hasher):
        _, headers = await api.user("alice")
        item = await api.item(headers)
        exporter = InMemorySpanExporter()
        provider = install_tracing(api.app, api.container.database(), SimpleSpanProcessor(exporter))
        assert provider is not None
        api.app.middleware_stack = None  # rebuilt with the tracing middleware
        try:
            transport = httpx.ASGITransport(app=api.app, client=("198.51.100.10", 50000))
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                assert (await client.get(f"/api/v1/items/{item['id']}")).status_code == 200
        finally:
            provider.shutdown()
            SQLAlchemyInstrumentor().uninstrument()  # it also wrapped create_engine
        spans = exporter.get_finished_spans()
        [server] = [span for span in spans if span.parent is None]
        # The template as the route declares it (the id is an int path parameter).
        assert server.name == "GET /api/v1/items/{item_id:int}"
        assert server.attributes is not None
        assert server.attributes.get("http.route") == "/api/v1/items/{item_id:int}"
        sql = [span for span in spans if span.attributes and "db.statement" in span.attributes]
        assert sql, [span.name for span in spans]
        assert all(span.context.trace_id == server.context.trace_id for span in sql)
        assert "items" in str((sql[0].attributes or {})["db.statement"])
        access = json.loads(json_lines.getvalue().splitlines()[-1])
        assert access["trace_id"] == format(server.context.trace_id, "032x")


async def test_tracing_is_not_installed_without_an_endpoint(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    assert install_tracing(api.app, api.container.database()) is None
    assert not hasattr(api.app.state, "tracer_provider")


async def test_the_grafana_dashboard_graphs_metrics_that_exist(api: Api) -> None:
    """Importable (a datasource input, panels with queries), and every metric it queries is
    one `/metrics` exports."""
    dashboard = json.loads(
        (Path(entrypoints.__file__).parent / "grafana-dashboard.json").read_text()
    )
    assert dashboard["__inputs"][0]["pluginId"] == "prometheus"
    queried = {
        re.sub(r"_(bucket|total|count|sum)$", "", name)
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"itemhub_[a-z_]+", target["expr"])
    }
    exported = {
        family.name
        for family in text_string_to_metric_families((await api.client.get("/metrics")).text)
    }
    assert queried, "the dashboard queries nothing"
    assert queried <= exported, queried - exported
    assert {
        "itemhub_http_request_duration_seconds",
        "itemhub_logins",
        "itemhub_db_pool_connections_in_use",
    } <= queried

"""OpenTelemetry tracing: on when OTEL_EXPORTER_OTLP_ENDPOINT is set, and then each request
is a server span (named by its route template) with a child span per SQL statement, exported
over OTLP/HTTP. Off, nothing is installed and nothing of OpenTelemetry's SDK is even imported:
no middleware, no hook, no cost.

The standard OTEL_* variables configure the rest (OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_HEADERS,
OTEL_TRACES_SAMPLER, ...), as the SDK reads them.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import SpanProcessor, TracerProvider

ENDPOINT_VARIABLE = "OTEL_EXPORTER_OTLP_ENDPOINT"


def install_tracing(
    app: FastAPI, database: Any, processor: SpanProcessor | None = None
) -> TracerProvider | None:
    """Trace the app's requests and, for a SQL database, its statements. `processor` is for
    tests (the SDK's in-memory exporter behind a simple processor); by default spans go in
    batches to the OTLP endpoint, and nothing is installed unless one is configured."""
    if processor is None and not os.environ.get(ENDPOINT_VARIABLE):
        return None
    # Imported here: tracing off must cost nothing, start-up memory included.
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor  # noqa: PLC0415
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor  # noqa: PLC0415
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource  # noqa: PLC0415
    from opentelemetry.sdk.trace import TracerProvider  # noqa: PLC0415
    from opentelemetry.sdk.trace.export import BatchSpanProcessor  # noqa: PLC0415

    if processor is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: PLC0415
            OTLPSpanExporter,
        )

        processor = BatchSpanProcessor(OTLPSpanExporter())
    resource = Resource.create({SERVICE_NAME: os.environ.get("OTEL_SERVICE_NAME", "itemhub")})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(processor)
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, excluded_urls="/health,/metrics"
    )
    engine = getattr(database, "engine", None)  # SQL adapters; memory runs no statements
    if engine is not None:
        # The instrumentation declares SQLAlchemy < 2.1 and, without skip_dep_check, silently
        # instruments nothing on 2.1; the event API it uses is unchanged (a test checks spans).
        SQLAlchemyInstrumentor().instrument(
            engine=engine.sync_engine, tracer_provider=provider, skip_dep_check=True
        )
    app.state.tracer_provider = provider
    from entrypoints.logging import RequestContext  # noqa: PLC0415 - logging imports this module

    RequestContext.tracing = True
    return provider


def current_trace_id() -> str | None:
    """The trace id of the span being recorded now, as 32 hex digits, for log lines; None
    when tracing is off (the API package alone answers that, cheaply)."""
    from opentelemetry import trace  # noqa: PLC0415

    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None

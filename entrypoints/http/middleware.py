"""Request context as pure ASGI middleware: request id, body limit, access log, last-resort 500."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.http.problems import problem_response

logger = logging.getLogger("itemhub.http")
access_logger = logging.getLogger("itemhub.access")

MAX_BODY_BYTES = 1024 * 1024
# Echoed ids are printed in logs and headers: accept only what cannot forge a log line.
_SAFE_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = (
            incoming.decode("ascii")
            if incoming is not None and _SAFE_REQUEST_ID.fullmatch(incoming)
            else uuid.uuid4().hex
        )
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        state: dict[str, Any] = {"status": 500, "started": False}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                state["started"] = True
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            declared = _header(scope, b"content-length")
            if declared is not None:
                # The server's framing holds the body to its declared length; check only that.
                if not declared.isdigit() or int(declared) > self.max_body_bytes:
                    status, detail = self._oversized(declared)
                    await self._answer(
                        scope, receive, send_with_id, state, status=status, detail=detail
                    )
                else:
                    await self.app(scope, receive, send_with_id)
            elif _header(scope, b"transfer-encoding") is None:
                await self.app(scope, receive, send_with_id)  # HTTP/1.1: no length, no body
            elif (replay := await self._read_bounded(receive)) is None:
                status, detail = self._oversized(None)
                await self._answer(
                    scope, receive, send_with_id, state, status=status, detail=detail
                )
            else:
                await self.app(scope, replay, send_with_id)
        except Exception:
            logger.exception("unhandled error request_id=%s", request_id)
            await self._answer(
                scope,
                receive,
                send_with_id,
                state,
                status=500,
                detail="The server failed to handle this request.",
            )
        finally:
            path = scope.get("raw_path") or scope["path"].encode()
            access_logger.info(
                "method=%s path=%s status=%s duration_ms=%.2f request_id=%s",
                scope["method"],
                path.decode("ascii", "replace"),
                state["status"],
                (time.perf_counter() - started) * 1000,
                request_id,
            )

    async def _read_bounded(self, receive: Receive) -> Receive | None:
        """Read a body of unknown length (chunked) up to the limit; None when it goes past it.

        The app then reads the buffered body. Raising from inside `receive` instead would be
        caught by the framework's body parser and turned into a 400."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return _replay([message], receive)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
                return _replay([body], receive)

    def _oversized(self, declared: bytes | None) -> tuple[int, str]:
        if declared is not None and not declared.isdigit():
            return 400, "The Content-Length header is not a number."
        return 413, f"The request body is larger than {self.max_body_bytes} bytes."

    async def _answer(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        state: dict[str, Any],
        *,
        status: int,
        detail: str,
    ) -> None:
        if state["started"]:  # too late for a clean answer; the server will cut the connection
            return
        slug = {413: "body-too-large", 500: "internal"}.get(status)
        await problem_response(status, detail, slug=slug)(scope, receive, send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed

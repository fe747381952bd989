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


class _BodyTooLarge(Exception):
    pass


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

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _BodyTooLarge
            return message

        try:
            declared = _header(scope, b"content-length")
            if declared is not None and (
                not declared.isdigit() or int(declared) > self.max_body_bytes
            ):
                status, detail = self._oversized(declared)
                await self._answer(
                    scope, receive, send_with_id, state, status=status, detail=detail
                )
            else:
                await self.app(scope, limited_receive, send_with_id)
        except _BodyTooLarge:
            status, detail = self._oversized(None)
            await self._answer(scope, receive, send_with_id, state, status=status, detail=detail)
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

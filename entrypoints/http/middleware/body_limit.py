"""Request bodies over the limit get a 413 before the app reads them, whether their size is
announced (`Content-Length`) or not (chunked)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.http.middleware.base import HttpMiddleware
from entrypoints.http.problems import BODY_TOO_LARGE, problem_response

MAX_BODY_BYTES = 1024 * 1024


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed


class BodyLimitMiddleware(HttpMiddleware):
    def __init__(self, app: ASGIApp, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        super().__init__(app)
        self.max_body_bytes = max_body_bytes

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = _header(scope, b"content-length")
        if declared is not None:
            # The server's framing holds the body to its declared length; check only that.
            if not declared.isdigit():
                await problem_response(400, "The Content-Length header is not a number.")(
                    scope, receive, send
                )
            elif int(declared) > self.max_body_bytes:
                await self._too_large(scope, receive, send)
            else:
                await self.app(scope, receive, send)
        elif _header(scope, b"transfer-encoding") is None:
            await self.app(scope, receive, send)  # HTTP/1.1: no length, no body
        elif (replay := await self._read_bounded(receive)) is None:
            await self._too_large(scope, receive, send)
        else:
            await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"The request body is larger than {self.max_body_bytes} bytes."
        await problem_response(413, detail, kind=BODY_TOO_LARGE)(scope, receive, send)

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

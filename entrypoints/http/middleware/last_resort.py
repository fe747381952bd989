"""Anything unexpected is logged with its traceback and answered with a 500 problem that says
nothing more: a 500 is always a bug, and never shows a client a traceback."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from starlette.types import Message, Receive, Scope, Send

from entrypoints.http.middleware.base import HttpMiddleware
from entrypoints.http.middleware.request_id import request_id_of
from entrypoints.http.problems import INTERNAL, problem_response

logger = logging.getLogger("itemhub.http")


@dataclass(slots=True)
class _Progress:
    response_started: bool = False


class LastResortMiddleware(HttpMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        progress = _Progress()

        async def send_noting_start(message: Message) -> None:
            if message["type"] == "http.response.start":
                progress.response_started = True
            await send(message)

        try:
            await self.app(scope, receive, send_noting_start)
        except Exception:
            logger.exception("unhandled error request_id=%s", request_id_of(scope))
            if progress.response_started:  # too late for a clean answer; the server cuts it
                return
            answer = problem_response(INTERNAL.status, INTERNAL.example, kind=INTERNAL)
            await answer(scope, receive, send)

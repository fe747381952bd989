"""A PostgreSQL proxy that counts what its clients ask of the server, read off the wire.

Statements and round trips per request are facts of the code, so tests can assert them and the
benchmark can print them, for the real driver over a real connection. Counted from the frontend
protocol (PostgreSQL docs, "Message Formats"):

- a simple Query message runs each `;`-separated statement in it, and waits for the server once;
- in the extended protocol a statement runs at Execute (of a portal bound to a parsed
  statement) and the client waits at Sync; Parse/Describe/Sync without an Execute (asyncpg
  preparing a statement it has not cached yet) is a round trip but no statement.

Statements that only delimit transactions (BEGIN, COMMIT, ROLLBACK, ...) are counted apart.
The proxy never changes a byte. SSL is not supported: connect with `ssl=disable`.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from dataclasses import dataclass, field

_SSL_REQUEST = 80877103
_GSSENC_REQUEST = 80877104
_TRANSACTION_CONTROL = {"BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT"}


@dataclass(frozen=True)
class WireCounts:
    statements: int = 0
    """Statements other than transaction control."""
    transaction_control: int = 0
    round_trips: int = 0
    """Times the client waited for the server (Query and Sync messages)."""

    def __sub__(self, other: WireCounts) -> WireCounts:
        return WireCounts(
            self.statements - other.statements,
            self.transaction_control - other.transaction_control,
            self.round_trips - other.round_trips,
        )


def _is_transaction_control(sql: str) -> bool:
    words = sql.split(None, 1)
    return bool(words) and words[0].upper().rstrip(";") in _TRANSACTION_CONTROL


def _cstring(body: bytes, start: int) -> tuple[str, int]:
    end = body.index(b"\0", start)
    return body[start:end].decode("utf-8", "replace"), end + 1


@dataclass
class _ClientStream:
    """One connection's frontend messages, parsed as they pass."""

    counter: PgWireCounter
    buffer: bytearray = field(default_factory=bytearray)
    started: bool = False
    parsed: dict[str, str] = field(default_factory=dict)
    portals: dict[str, str] = field(default_factory=dict)

    def feed(self, chunk: bytes) -> None:
        self.buffer += chunk
        while True:
            if not self.started:
                if len(self.buffer) < 8:
                    return
                length, code = struct.unpack("!ii", self.buffer[:8])
                if len(self.buffer) < length:
                    return
                del self.buffer[:length]
                self.started = code not in (_SSL_REQUEST, _GSSENC_REQUEST)
                continue
            if len(self.buffer) < 5:
                return
            kind = bytes(self.buffer[0:1])
            (length,) = struct.unpack("!i", self.buffer[1:5])
            if len(self.buffer) < 1 + length:
                return
            body = bytes(self.buffer[5 : 1 + length])
            del self.buffer[: 1 + length]
            self._message(kind, body)

    def _message(self, kind: bytes, body: bytes) -> None:
        if kind == b"Q":
            sql, _ = _cstring(body, 0)
            for part in sql.split(";"):
                if part.strip():
                    self.counter.count_statement(part)
            self.counter.count_round_trip()
        elif kind == b"P":
            name, at = _cstring(body, 0)
            self.parsed[name], _ = _cstring(body, at)
        elif kind == b"B":
            portal, at = _cstring(body, 0)
            statement, _ = _cstring(body, at)
            self.portals[portal] = self.parsed.get(statement, "")
        elif kind == b"E":
            portal, _ = _cstring(body, 0)
            self.counter.count_statement(self.portals.get(portal, ""))
        elif kind == b"S":
            self.counter.count_round_trip()


class PgWireCounter:
    def __init__(self, target_host: str = "127.0.0.1", target_port: int = 5432) -> None:
        self._target = (target_host, target_port)
        self._server: asyncio.Server | None = None
        self._statements = 0
        self._transaction_control = 0
        self._round_trips = 0
        self.port = 0

    @property
    def counts(self) -> WireCounts:
        return WireCounts(self._statements, self._transaction_control, self._round_trips)

    def count_statement(self, sql: str) -> None:
        if _is_transaction_control(sql):
            self._transaction_control += 1
        else:
            self._statements += 1

    def count_round_trip(self) -> None:
        self._round_trips += 1

    def url(self, database_url: str) -> str:
        """`database_url` (on the proxied server) redirected through this proxy, without SSL."""
        host, port = self._target
        redirected = database_url.replace(f"{host}:{port}", f"127.0.0.1:{self.port}", 1)
        return redirected + ("&" if "?" in redirected else "?") + "ssl=disable"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.transport.abort()
            return
        stream = _ClientStream(self)
        await asyncio.gather(
            self._pipe(reader, up_writer, stream), self._pipe(up_reader, writer, None)
        )

    @staticmethod
    async def _pipe(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stream: _ClientStream | None
    ) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while chunk := await reader.read(65536):
                if stream is not None:
                    stream.feed(chunk)
                writer.write(chunk)
                await writer.drain()
        writer.transport.abort()

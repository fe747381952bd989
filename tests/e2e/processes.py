"""Running itemhub's own console script as a separate process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ITEMHUB = Path(sys.executable).with_name("itemhub")


def itemhub(
    *args: str, cwd: Path, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [str(ITEMHUB), *args],
        cwd=cwd,
        env=os.environ | env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


STARTUP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_server(
    env: dict[str, str], cwd: Path, workers: int = 1, output: Path | None = None
) -> Iterator[str]:
    """`itemhub serve` on a free loopback port until the block ends; yields its base URL.

    Its output goes to a file (`output`, or a temporary one), never a pipe: nobody reads a
    pipe while the tests run, and a server whose pipe filled up (64 KiB of access lines)
    would hang on its next log line."""
    port = free_port()
    output_file = output.open("w+b") if output else tempfile.TemporaryFile()  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603 - our own console script, fixed arguments
        [
            str(ITEMHUB),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        cwd=cwd,
        env=os.environ | env,
        stdout=output_file,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                output_file.seek(0)
                printed = output_file.read().decode(errors="replace")
                raise RuntimeError(f"itemhub serve exited with {process.returncode}:\n{printed}")
            try:
                httpx.get(f"{base_url}/health", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"itemhub serve did not answer within {STARTUP_SECONDS} s"
                    ) from None
                time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)
        output_file.close()

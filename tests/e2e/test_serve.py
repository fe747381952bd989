"""`itemhub serve` as a real process on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

STARTUP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    itemhub = Path(sys.executable).with_name("itemhub")
    process = subprocess.Popen(  # noqa: S603 - our own console script, fixed arguments
        [str(itemhub), "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"itemhub serve exited with {process.returncode}:\n{output}")
            try:
                httpx.get(f"{base_url}/health", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    pytest.fail(f"itemhub serve did not answer within {STARTUP_SECONDS} s")
                time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


def test_served_process_answers_health_and_documents_itself(server: str) -> None:
    assert httpx.get(f"{server}/health").json() == {"status": "ok"}
    docs = httpx.get(f"{server}/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()

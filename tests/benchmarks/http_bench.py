"""Benchmark: itemhub against the yardstick (bare Starlette + asyncpg), same PostgreSQL, same rows,
same run, so the ratio means something on machines whose second core comes and goes.

Both apps get the yardstick's data: one user with 1,000 items and 50 users with 20 items each.
Each serves with one worker; wrk drives them from a second process over loopback.

    make bench    (= .venv/bin/python -m tests.benchmarks.http_bench [--seconds 10])

Needs wrk (installed with apt-get when missing) and the yardstick's own virtualenv
(/tmp/yardstick-venv, made from ../shared/yardstick/requirements.txt when missing).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import bcrypt
import httpx

from adapters.sql.migrate import upgrade
from tests.databases import POSTGRES_ADMIN_DSN, create_postgres_database, drop_postgres_database
from tests.e2e.processes import ITEMHUB, free_port

YARDSTICK = Path(__file__).resolve().parents[2].parent / "shared" / "yardstick"
YARDSTICK_VENV = Path("/tmp/yardstick-venv")
RESULTS = Path("bench-results")
PASSWORD = "bench-password-1"
SECRET = "bench-only-secret-key-0123456789abcdef"


@dataclass
class Result:
    scenario: str
    connections: int
    itemhub_rps: float
    itemhub_p50_ms: float
    itemhub_p99_ms: float
    itemhub_non_2xx: int
    yardstick_rps: float
    yardstick_p50_ms: float
    yardstick_p99_ms: float
    yardstick_non_2xx: int

    @property
    def ratio(self) -> float:
        return self.itemhub_rps / self.yardstick_rps if self.yardstick_rps else 0.0


def ensure_tools() -> None:
    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, capture_output=True)
        if shutil.which("wrk") is None:
            subprocess.run(["apt-get", "update"], check=True, capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)
    if not (YARDSTICK_VENV / "bin" / "uvicorn").exists():
        subprocess.run([sys.executable, "-m", "venv", str(YARDSTICK_VENV)], check=True)
        pip = YARDSTICK_VENV / "bin" / "pip"
        subprocess.run(
            [str(pip), "install", "-q", "-r", str(YARDSTICK / "requirements.txt")], check=True
        )


async def seed_itemhub(url: str, password_hash: str) -> None:
    """The yardstick's rows, in itemhub's schema."""
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute(
            """
            INSERT INTO users (email, username, hashed_password, is_active, is_superuser,
                               token_version, created_at, updated_at)
            SELECT e, u, $1, true, false, 0, now(), now() FROM (
              SELECT 'bench@example.com' AS e, 'bench' AS u
              UNION ALL
              SELECT 'user' || g || '@example.com', 'user' || g FROM generate_series(1, 50) g
            ) s;
            INSERT INTO items (title, title_search, description, price, user_id,
                               created_at, updated_at)
            SELECT 'Item ' || g || ' of ' || u.username,
                   lower('Item ' || g || ' of ' || u.username),
                   'Description ' || g, (g % 10000) / 100.0 + 1, u.id,
                   now() - g * interval '1 second', now() - g * interval '1 second'
            FROM users u,
                 generate_series(1, CASE WHEN u.username = 'bench' THEN 1000 ELSE 20 END) g;
            ANALYZE users; ANALYZE items;
            """.replace("$1", "'" + password_hash + "'")
        )
    finally:
        await connection.close()


def seed_yardstick(url: str, password_hash: str) -> None:
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    subprocess.run(
        [
            "psql",
            dsn,
            "-q",
            "-v",
            f"hash={password_hash}",
            "-v",
            "email=bench@example.com",
            "-v",
            "username=bench",
            "-f",
            str(YARDSTICK / "schema.sql"),
        ],
        check=True,
        capture_output=True,
    )


@contextmanager
def serving(command: list[str], env: dict[str, str], cwd: Path, port: int) -> Any:
    process = subprocess.Popen(
        command, cwd=cwd, env=os.environ | env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"{command[0]} did not start") from None
                time.sleep(0.2)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(
    url: str, connections: int, seconds: int, token: str | None, lua: str | None = None
) -> tuple[float, float, float, int]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    if lua:
        command += ["-s", lua]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]

    def percentile(p: str) -> float:
        match = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)\b", output)
        return float(match.group(1)) * _UNITS[match.group(2)] if match else float("nan")

    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return rps, percentile("50"), percentile("99"), int(non_2xx.group(1)) if non_2xx else 0


def token(base: str, path: str) -> str:
    response = httpx.post(
        f"{base}{path}", data={"username": "bench", "password": PASSWORD}, timeout=30
    )
    response.raise_for_status()
    value: str = response.json()["access_token"]
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    ensure_tools()
    password_hash = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(12)).decode()
    with ExitStack() as stack, tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        itemhub_db = create_postgres_database()
        stack.callback(drop_postgres_database, itemhub_db)
        yardstick_db = create_postgres_database()
        stack.callback(drop_postgres_database, yardstick_db)
        upgrade(itemhub_db)
        asyncio.run(seed_itemhub(itemhub_db, password_hash))
        seed_yardstick(yardstick_db, password_hash)
        lua = work / "create.lua"
        lua.write_text(
            'wrk.method = "POST"\nwrk.body = \'{"title": "Bench item", "price": 12.5}\'\n'
            'wrk.headers["Content-Type"] = "application/json"\n'
        )
        login_lua = work / "login.lua"
        login_lua.write_text(
            f'wrk.method = "POST"\nwrk.body = "username=bench&password={PASSWORD}"\n'
            'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        )
        hub_port, yard_port = free_port(), free_port()
        hub_env = {
            "ITEMHUB_DATABASE_URL": itemhub_db,
            "ITEMHUB_SECRET_KEY": SECRET,
            "ITEMHUB_LOGIN_MAX_FAILURES_PER_ACCOUNT": "1000000000",
            "ITEMHUB_LOGIN_MAX_FAILURES_PER_ADDRESS": "1000000000",
        }
        yard_env = {
            "YARDSTICK_DSN": yardstick_db.replace("postgresql+asyncpg://", "postgresql://"),
            "YARDSTICK_SECRET": SECRET,
        }
        stack.enter_context(
            serving([str(ITEMHUB), "serve", "--port", str(hub_port)], hub_env, work, hub_port)
        )
        stack.enter_context(
            serving(
                [
                    str(YARDSTICK_VENV / "bin" / "uvicorn"),
                    "yardstick_app:app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(yard_port),
                    "--loop",
                    "uvloop",
                    "--http",
                    "httptools",
                    "--no-access-log",
                ],
                yard_env,
                YARDSTICK,
                yard_port,
            )
        )
        hub, yard = f"http://127.0.0.1:{hub_port}", f"http://127.0.0.1:{yard_port}"
        hub_token, yard_token = token(hub, "/api/v1/auth/token"), token(yard, "/token")
        scenarios = [
            ("items page", 1, "/api/v1/items?limit=20", "/items?limit=20", True, None),
            ("items page", 32, "/api/v1/items?limit=20", "/items?limit=20", True, None),
            ("/users/me", 32, "/api/v1/users/me", "/me", True, None),
            ("create item", 32, "/api/v1/items", "/items", True, str(lua)),
            ("login (bcrypt 12)", 8, "/api/v1/auth/token", "/token", False, str(login_lua)),
        ]
        results = []
        for name, connections, hub_path, yard_path, auth, script in scenarios:
            ours = run_wrk(
                hub + hub_path, connections, args.seconds, hub_token if auth else None, script
            )
            theirs = run_wrk(
                yard + yard_path, connections, args.seconds, yard_token if auth else None, script
            )
            results.append(Result(name, connections, *ours, *theirs))
    print(
        f"{'scenario':<18} {'c':>3} {'itemhub rps':>12} {'p50 ms':>8} {'p99 ms':>8} {'non2xx':>7}"
        f" {'yardstick':>10} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6}"
    )
    for r in results:
        print(
            f"{r.scenario:<18} {r.connections:>3} {r.itemhub_rps:>12.0f} {r.itemhub_p50_ms:>8.2f}"
            f" {r.itemhub_p99_ms:>8.2f} {r.itemhub_non_2xx:>7} {r.yardstick_rps:>10.0f}"
            f" {r.yardstick_p50_ms:>8.2f} {r.yardstick_p99_ms:>8.2f} {r.ratio:>6.2f}"
        )
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    record = {
        "when": stamp,
        "commit": commit.stdout.strip(),
        "postgres": POSTGRES_ADMIN_DSN.rsplit("/", 1)[0],
        "results": [asdict(r) | {"ratio": r.ratio} for r in results],
    }
    (RESULTS / f"{stamp}.json").write_text(json.dumps(record, indent=2))
    print(f"written to {RESULTS / f'{stamp}.json'}")


if __name__ == "__main__":
    main()

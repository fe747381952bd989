"""Benchmark: itemhub against the yardstick (bare Starlette + asyncpg), same PostgreSQL, same rows,
same run, so the ratio means something on machines whose second core comes and goes.

Both apps get the yardstick's data: one user with 1,000 items and 50 users with 20 items each.
Each serves with the same number of workers (--workers, 1 by default); wrk drives them from a
second process over loopback; floor_app.py (FastAPI + SQLAlchemy Core alone) serves the reads
beside them. Then: `/users/me` p99 alone and during a storm of 8 concurrent logins (both
apps), RSS per worker, server CPU per request, SQL per request counted on the wire
(tests/pg_wire.py), and a keyset page at depth 1,000,000 (rows from `itemhub seed`) against
the first page.

    make bench    (= .venv/bin/python -m tests.benchmarks.http_bench [--seconds 10] [--workers 1]
                     [--deep-items 1000000])

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
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from urllib.parse import quote

import asyncpg
import bcrypt
import httpx

from adapters.sql.migrate import upgrade
from application.paging import ItemPosition
from entrypoints.http.cursors import encode_item_cursor
from tests.databases import POSTGRES_ADMIN_DSN, create_postgres_database, drop_postgres_database
from tests.e2e.processes import ITEMHUB, free_port, itemhub
from tests.pg_wire import PgWireCounter

YARDSTICK = Path(__file__).resolve().parents[2].parent / "shared" / "yardstick"
YARDSTICK_VENV = Path("/tmp/yardstick-venv")
ROOT = Path(__file__).resolve().parents[2]
UVICORN = Path(sys.executable).with_name("uvicorn")
FLOOR_APP = "tests.benchmarks.floor_app:app"
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
    floor_rps: float | None = None
    """FastAPI + SQLAlchemy Core alone (floor_app.py), where it has the scenario."""
    itemhub_cpu_us: float = float("nan")
    yardstick_cpu_us: float = float("nan")
    """Server CPU time per request, microseconds."""

    @property
    def ratio(self) -> float:
        return self.itemhub_rps / self.yardstick_rps if self.yardstick_rps else 0.0

    @property
    def floor_ratio(self) -> float | None:
        return self.floor_rps / self.yardstick_rps if self.floor_rps else None


def ensure_wrk() -> None:
    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, capture_output=True)
        if shutil.which("wrk") is None:
            subprocess.run(["apt-get", "update"], check=True, capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)


def ensure_tools() -> None:
    ensure_wrk()
    if not (YARDSTICK_VENV / "bin" / "uvicorn").exists():
        subprocess.run([sys.executable, "-m", "venv", str(YARDSTICK_VENV)], check=True)
        pip = YARDSTICK_VENV / "bin" / "pip"
        subprocess.run(
            [str(pip), "install", "-q", "-r", str(YARDSTICK / "requirements.txt")], check=True
        )


async def seed_itemhub(url: str, password_hash: str) -> None:
    """The yardstick's rows, in itemhub's schema (before sessions, users had a token_version:
    `make bench-ab` seeds older commits' schemas too)."""
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        versioned = await connection.fetchval(
            "SELECT count(*) FROM information_schema.columns"
            " WHERE table_name = 'users' AND column_name = 'token_version'"
        )
        version_column, version = (", token_version", ", 0") if versioned else ("", "")
        await connection.execute(
            """
            INSERT INTO users (email, username, hashed_password, is_active, is_superuser,
                               created_at, updated_at VERSION_COLUMN)
            SELECT e, u, $1, true, false, now(), now() VERSION FROM (
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
            .replace(" VERSION_COLUMN", version_column)
            .replace(" VERSION", version)
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
def serving(command: list[str], env: dict[str, str], cwd: Path, port: int) -> Iterator[int]:
    """Start a server and yield its pid once it answers on `port`."""
    process = subprocess.Popen(
        command, cwd=cwd, env=os.environ | env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"{command[0]} did not start") from None
                time.sleep(0.2)
        yield process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


def uvicorn_command(app: str, port: int, workers: int, uvicorn: Path = UVICORN) -> list[str]:
    """How the yardstick's README serves it: uvloop, httptools, no access log; the same number
    of workers as itemhub, so the ratio stays like for like."""
    return [
        str(uvicorn),
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
    ]


def itemhub_command(port: int, workers: int) -> list[str]:
    return [str(ITEMHUB), "serve", "--port", str(port), "--workers", str(workers)]


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass
class Wrk:
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    requests: int = 0


def wrk_command(
    url: str,
    connections: int,
    seconds: int,
    token: str | None,
    lua: str | None = None,
    *,
    threads: int = 1,
) -> list[str]:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    if lua:
        command += ["-s", lua]
    return [*command, url]


def parse_wrk(output: str) -> Wrk:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]

    def percentile(p: str) -> float:
        match = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)\b", output)
        return float(match.group(1)) * _UNITS[match.group(2)] if match else float("nan")

    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    requests = re.search(r"(\d+) requests in", output)
    return Wrk(
        rps,
        percentile("50"),
        percentile("99"),
        int(non_2xx.group(1)) if non_2xx else 0,
        int(requests.group(1)) if requests else 0,
    )


def _server_pids(pid: int) -> list[int]:
    """The server and its worker processes (uvicorn --workers starts children)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *(int(child) for child in children)]


def cpu_seconds(pid: int) -> float:
    """User + system CPU the server and its workers have used so far."""
    ticks = 0
    for each in _server_pids(pid):
        fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def run_wrk(
    url: str,
    connections: int,
    seconds: int,
    token: str | None,
    lua: str | None = None,
    *,
    threads: int = 1,
) -> Wrk:
    command = wrk_command(url, connections, seconds, token, lua, threads=threads)
    return parse_wrk(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def cpu_per_request_us(pid: int, run: Callable[[], Wrk]) -> tuple[Wrk, float]:
    """Server CPU per request: unlike req/s, it hardly moves when the second core comes and
    goes, so it compares runs on different days."""
    before = cpu_seconds(pid)
    measured = run()
    spent = cpu_seconds(pid) - before
    return measured, spent / measured.requests * 1e6 if measured.requests else float("nan")


def token(base: str, path: str, kind: str = "access_token") -> str:
    """A login's token (a new session on itemhub)."""
    response = httpx.post(
        f"{base}{path}", data={"username": "bench", "password": PASSWORD}, timeout=30
    )
    response.raise_for_status()
    value: str = response.json()[kind]
    return value


# Each wrk thread keeps one session going: it sends the refresh token the last answer gave it.
# One connection per thread, so a thread's refreshes never overlap (two would end the session).
REFRESH_LUA = """
local tokens = {%s}
local handed_out = 0
function setup(thread)
  handed_out = handed_out + 1
  thread:set("token", tokens[handed_out])
end
function request()
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded"},
    "grant_type=refresh_token&refresh_token=" .. token)
end
function response(status, headers, body)
  local issued = body:match('"refresh_token":"([^"]+)"')
  if issued then token = issued end
end
"""


def refresh_rotations(
    hub: str, hub_pid: int, work: Path, connections: int, seconds: int
) -> tuple[Wrk, float]:
    """Refresh-token rotations per second: `connections` sessions, each refreshed in a chain."""
    tokens = [token(hub, "/api/v1/auth/token", "refresh_token") for _ in range(connections)]
    lua = work / "refresh.lua"
    lua.write_text(REFRESH_LUA % ", ".join(f'"{each}"' for each in tokens))
    run = partial(
        run_wrk,
        f"{hub}/api/v1/auth/token",
        connections,
        seconds,
        None,
        str(lua),
        threads=connections,
    )
    return cpu_per_request_us(hub_pid, run)


@dataclass
class Storm:
    app: str
    idle_p99_ms: float
    storm_p99_ms: float
    idle_rps: float
    storm_rps: float
    logins_per_s: float

    @property
    def ratio(self) -> float:
        return self.storm_p99_ms / self.idle_p99_ms if self.idle_p99_ms else 0.0


def login_storm(
    app: str, me_url: str, login_url: str, token: str, *, lua: str, seconds: int
) -> Storm:
    """`/users/me` at 4 connections alone, then while 8 connections log in without pause."""
    time.sleep(3)  # logins a previous wrk run left in flight finish first (~1 s of hashing)
    idle = run_wrk(me_url, 4, seconds, token)
    storm = subprocess.Popen(
        wrk_command(login_url, 8, seconds + 2, None, lua),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    time.sleep(1)  # every login connection busy before measuring
    during = run_wrk(me_url, 4, seconds, token)
    logins = parse_wrk(storm.communicate()[0])
    return Storm(app, idle.p99_ms, during.p99_ms, idle.rps, during.rps, logins.rps)


def _is_worker(pid: int) -> bool:
    """uvicorn --workers spawns its workers with multiprocessing, beside a resource tracker."""
    return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()


def rss_per_worker_mb(pid: int) -> list[float]:
    """The workers' resident memory: the server process itself when it has no workers."""
    pids = [child for child in _server_pids(pid)[1:] if _is_worker(child)] or [pid]
    sizes = []
    for each in pids:
        status = Path(f"/proc/{each}/status").read_text()
        kilobytes = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))  # type: ignore[union-attr]
        sizes.append(kilobytes / 1024)
    return sizes


class ThreadedCounter:
    """The wire counter on an event loop of its own, beside the synchronous benchmark."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.counter = PgWireCounter()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> PgWireCounter:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.counter.start(), self.loop).result()
        return self.counter

    def __exit__(self, *_: object) -> None:
        asyncio.run_coroutine_threadsafe(self.counter.close(), self.loop).result()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()


def sql_per_request(
    counter: PgWireCounter, base: str, headers: dict[str, str], runs: int = 20
) -> dict[str, dict[str, float]]:
    """Sequential requests against a server whose database connection goes through `counter`."""
    create = {"title": "Bench item", "price": 12.5}
    chain = [token(base, "/api/v1/auth/token", "refresh_token")]

    def refresh(client: httpx.Client) -> httpx.Response:
        form = {"grant_type": "refresh_token", "refresh_token": chain[-1]}
        response = client.post("/api/v1/auth/token", data=form)
        chain.append(response.json()["refresh_token"])
        return response

    calls: dict[str, Callable[[httpx.Client], httpx.Response]] = {
        "items page": lambda client: client.get("/api/v1/items?limit=20"),
        "/users/me": lambda client: client.get("/api/v1/users/me", headers=headers),
        "create item": lambda client: client.post("/api/v1/items", json=create, headers=headers),
        "refresh": refresh,
    }
    figures = {}
    with httpx.Client(base_url=base, timeout=30) as client:
        for name, call in calls.items():
            for _ in range(3):  # warm-up: asyncpg prepares each statement once per connection
                call(client).raise_for_status()
            before = counter.counts
            for _ in range(runs):
                call(client).raise_for_status()
            spent = counter.counts - before
            figures[name] = {key: value / runs for key, value in asdict(spent).items()}
    return figures


@dataclass
class Depth:
    items: int
    first_p50_ms: float
    deep_p50_ms: float
    first_p99_ms: float
    deep_p99_ms: float

    @property
    def ratio(self) -> float:
        return self.deep_p50_ms / self.first_p50_ms if self.first_p50_ms else 0.0


async def deep_cursor(url: str, depth: int) -> str:
    """The `next_cursor` a client holds after paging down to `depth` rows, newest first."""
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        row = await connection.fetchrow(
            "SELECT created_at, id FROM items ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT 1",
            depth - 1,
        )
    finally:
        await connection.close()
    return encode_item_cursor(ItemPosition(created_at=row["created_at"], id=row["id"]))


def keyset_depth(work: Path, env: dict[str, str], items: int, seconds: int) -> Depth:
    """A database of its own, seeded with `itemhub seed`, so the comparison rows stay small."""
    url = create_postgres_database()
    try:
        upgrade(url)
        seeded = itemhub(
            "seed", "--users", "100", "--items", str(items),
            cwd=work, env=env | {"ITEMHUB_DATABASE_URL": url}, timeout=1800,
        )  # fmt: skip
        if seeded.returncode != 0:
            raise RuntimeError(f"itemhub seed failed:\n{seeded.stderr}")
        subprocess.run(
            ["psql", url.replace("postgresql+asyncpg://", "postgresql://"), "-qc", "ANALYZE"],
            check=True,
            capture_output=True,
        )
        cursor = quote(asyncio.run(deep_cursor(url, items - 20)))
        port = free_port()
        with serving(itemhub_command(port, 1), env | {"ITEMHUB_DATABASE_URL": url}, work, port):
            base = f"http://127.0.0.1:{port}/api/v1/items?limit=20"
            run_wrk(base, 1, 2, None)  # warm the cache and the pool
            first = run_wrk(base, 1, seconds, None)
            deep = run_wrk(f"{base}&cursor={cursor}", 1, seconds, None)
        if first.non_2xx or deep.non_2xx:
            raise RuntimeError("the keyset pages did not answer 200")
        return Depth(items, first.p50_ms, deep.p50_ms, first.p99_ms, deep.p99_ms)
    finally:
        drop_postgres_database(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1, help="itemhub's uvicorn workers")
    parser.add_argument("--deep-items", type=int, default=1_000_000)
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
        hub_pid = stack.enter_context(
            serving(itemhub_command(hub_port, args.workers), hub_env, work, hub_port)
        )
        yard_pid = stack.enter_context(
            serving(
                uvicorn_command(
                    "yardstick_app:app", yard_port, args.workers, YARDSTICK_VENV / "bin" / "uvicorn"
                ),
                yard_env,
                YARDSTICK,
                yard_port,
            )
        )
        hub, yard = f"http://127.0.0.1:{hub_port}", f"http://127.0.0.1:{yard_port}"
        hub_token, yard_token = token(hub, "/api/v1/auth/token"), token(yard, "/token")
        floor_port = free_port()
        floor_env = {"FLOOR_DATABASE_URL": itemhub_db, "FLOOR_SECRET": SECRET}
        stack.enter_context(
            serving(
                uvicorn_command(FLOOR_APP, floor_port, args.workers), floor_env, ROOT, floor_port
            )
        )
        floor = f"http://127.0.0.1:{floor_port}"
        scenarios = [
            ("items page", 1, "/api/v1/items?limit=20", "/items?limit=20", True, None),
            ("items page", 32, "/api/v1/items?limit=20", "/items?limit=20", True, None),
            ("/users/me", 32, "/api/v1/users/me", "/me", True, None),
            ("create item", 32, "/api/v1/items", "/items", True, str(lua)),
            ("login (bcrypt 12)", 8, "/api/v1/auth/token", "/token", False, str(login_lua)),
        ]
        results = []
        for name, connections, hub_path, yard_path, auth, script in scenarios:
            hub_auth, yard_auth = (hub_token, yard_token) if auth else (None, None)
            hub_run = partial(run_wrk, hub + hub_path, connections, args.seconds, hub_auth, script)
            ours, hub_cpu = cpu_per_request_us(hub_pid, hub_run)
            floor_rps = None
            if script is None:  # the floor only reads
                floor_rps = run_wrk(floor + yard_path, connections, args.seconds, hub_token).rps
            yard_run = partial(
                run_wrk, yard + yard_path, connections, args.seconds, yard_auth, script
            )
            theirs, yard_cpu = cpu_per_request_us(yard_pid, yard_run)
            results.append(
                Result(
                    name,
                    connections,
                    ours.rps,
                    ours.p50_ms,
                    ours.p99_ms,
                    ours.non_2xx,
                    theirs.rps,
                    theirs.p50_ms,
                    theirs.p99_ms,
                    theirs.non_2xx,
                    floor_rps,
                    hub_cpu,
                    yard_cpu,
                )
            )
        rotations = refresh_rotations(hub, hub_pid, work, 32, args.seconds)
        storms = [
            login_storm(
                "itemhub",
                f"{hub}/api/v1/users/me",
                f"{hub}/api/v1/auth/token",
                hub_token,
                lua=str(login_lua),
                seconds=args.seconds,
            ),
            login_storm(
                "yardstick",
                f"{yard}/me",
                f"{yard}/token",
                yard_token,
                lua=str(login_lua),
                seconds=args.seconds,
            ),
        ]
        rss = {"itemhub": rss_per_worker_mb(hub_pid), "yardstick": rss_per_worker_mb(yard_pid)}
        with ThreadedCounter() as counter:
            port = free_port()
            counted_env = hub_env | {
                "ITEMHUB_DATABASE_URL": counter.url(itemhub_db),
                "ITEMHUB_DB_POOL_SIZE": "1",  # statements stay prepared after the warm-up
            }
            with serving(itemhub_command(port, 1), counted_env, work, port):
                headers = {"Authorization": f"Bearer {hub_token}"}
                sql = sql_per_request(counter, f"http://127.0.0.1:{port}", headers)
        depth = keyset_depth(work, hub_env, args.deep_items, args.seconds)
    report(results, rotations, storms, rss, sql, depth, args)


def report(  # noqa: PLR0917 - one argument per section of the report
    results: list[Result],
    rotations: tuple[Wrk, float],
    storms: list[Storm],
    rss: dict[str, list[float]],
    sql: dict[str, dict[str, float]],
    depth: Depth,
    args: argparse.Namespace,
) -> None:
    print(
        f"{'scenario':<18} {'c':>3} {'itemhub rps':>12} {'p50 ms':>8} {'p99 ms':>8} {'non2xx':>7}"
        f" {'yardstick':>10} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6} {'floor':>7} {'ratio':>6}"
    )
    for r in results:
        print(
            f"{r.scenario:<18} {r.connections:>3} {r.itemhub_rps:>12.0f} {r.itemhub_p50_ms:>8.2f}"
            f" {r.itemhub_p99_ms:>8.2f} {r.itemhub_non_2xx:>7} {r.yardstick_rps:>10.0f}"
            f" {r.yardstick_p50_ms:>8.2f} {r.yardstick_p99_ms:>8.2f} {r.ratio:>6.2f}"
            + (f" {r.floor_rps:>7.0f} {r.floor_ratio:>6.2f}" if r.floor_rps else "")
        )
    print("ratio = itemhub / yardstick; floor = FastAPI + SQLAlchemy Core alone (floor_app.py)")
    print(
        "\nserver CPU per request (us): "
        + ", ".join(
            f"{r.scenario} c{r.connections} {r.itemhub_cpu_us:.0f} vs {r.yardstick_cpu_us:.0f}"
            for r in results
        )
    )
    refreshed, refresh_cpu = rotations
    print(
        f"\nrefresh-token rotations, c32 (itemhub only): {refreshed.rps:.0f}/s,"
        f" p50 {refreshed.p50_ms:.2f} ms, p99 {refreshed.p99_ms:.2f} ms,"
        f" non-2xx {refreshed.non_2xx}, server CPU {refresh_cpu:.0f} us per rotation"
    )
    print("\n/users/me at 4 connections, alone and during 8 concurrent logins (bcrypt 12)")
    print(
        f"{'app':<10} {'p99 idle':>9} {'p99 storm':>10} {'x idle':>7} {'rps idle':>9}"
        f" {'rps storm':>10} {'logins/s':>9}"
    )
    for s in storms:
        print(
            f"{s.app:<10} {s.idle_p99_ms:>9.2f} {s.storm_p99_ms:>10.2f} {s.ratio:>7.2f}"
            f" {s.idle_rps:>9.0f} {s.storm_rps:>10.0f} {s.logins_per_s:>9.1f}"
        )
    print(
        "\nRSS per worker after the runs (MB): "
        + ", ".join(
            f"{app} {' / '.join(f'{mb:.0f}' for mb in sizes)}" for app, sizes in rss.items()
        )
    )
    print("\nSQL per request (itemhub, counted on the wire, 20 sequential requests each)")
    print(f"{'scenario':<14} {'statements':>10} {'txn control':>12} {'round trips':>12}")
    for name, counts in sql.items():
        print(
            f"{name:<14} {counts['statements']:>10.2f} {counts['transaction_control']:>12.2f}"
            f" {counts['round_trips']:>12.2f}"
        )
    print(
        f"\nkeyset page at depth {depth.items:,} (itemhub seed), c1: p50 {depth.deep_p50_ms:.2f} ms"
        f" vs first page {depth.first_p50_ms:.2f} ms = {depth.ratio:.2f}x"
        f" (p99 {depth.deep_p99_ms:.2f} vs {depth.first_p99_ms:.2f} ms)"
    )
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    record = {
        "when": stamp,
        "commit": commit.stdout.strip(),
        "seconds": args.seconds,
        "workers": args.workers,
        "postgres": POSTGRES_ADMIN_DSN.rsplit("/", 1)[0],
        "results": [asdict(r) | {"ratio": r.ratio, "floor_ratio": r.floor_ratio} for r in results],
        "refresh_rotations": asdict(rotations[0]) | {"cpu_us": rotations[1]},
        "login_storm": [asdict(s) | {"ratio": s.ratio} for s in storms],
        "rss_mb_per_worker": rss,
        "sql_per_request": sql,
        "keyset_depth": asdict(depth) | {"ratio": depth.ratio},
    }
    (RESULTS / f"{stamp}.json").write_text(json.dumps(record, indent=2))
    print(f"written to {RESULTS / f'{stamp}.json'}")


if __name__ == "__main__":
    main()

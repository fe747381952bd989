"""Benchmark: this checkout against another commit, interleaved, for server CPU per request.

Figures from different runs do not compare on a machine whose second core comes and goes, so
this serves both at once (the other commit from a git worktree with its own locked
virtualenv), each on a PostgreSQL database of its own migrated by its own code and seeded with
the yardstick's rows, and alternates wrk runs between them round by round. It prints each
run and, per scenario, the median server CPU per request of each side and their ratio.

    make bench-ab BASE=<commit>   (= .venv/bin/python -m tests.benchmarks.ab --base <commit>
                                     [--rounds 5] [--seconds 6] [--connections 32]
                                     [--scenario /users/me ...]
                                     [--base-env KEY=VALUE ...] [--this-env KEY=VALUE ...])

With `--base HEAD` and settings on one side only, it measures what a setting costs, e.g.
`--base-env ITEMHUB_METRICS_ENABLED=false` for the metrics.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from pathlib import Path

import bcrypt

from tests.benchmarks.http_bench import (
    PASSWORD,
    ROOT,
    SECRET,
    cpu_per_request_us,
    ensure_wrk,
    run_wrk,
    seed_itemhub,
    serving,
    token,
)
from tests.databases import create_postgres_database, drop_postgres_database
from tests.e2e.processes import free_port

SCENARIOS = {
    "items page": ("/api/v1/items?limit=20", None),
    "/users/me": ("/api/v1/users/me", None),
    "create item": ("/api/v1/items", "create.lua"),
}


@contextmanager
def checkout_of(commit: str, under: Path) -> Iterator[Path]:
    """A worktree of `commit` with the virtualenv its uv.lock pins."""
    tree = under / "base"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), commit],
        check=True,
        capture_output=True,
    )
    try:
        interpreter = Path(sys.base_prefix) / "bin" / "python3"  # where make put uv
        subprocess.run(
            [str(interpreter), "-m", "uv", "sync", "--frozen", "--quiet"],
            cwd=tree,
            check=True,
            env=os.environ | {"UV_PYTHON_DOWNLOADS": "never"},
        )
        yield tree
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
            check=False,
            capture_output=True,
        )


def seeded_database(tree: Path) -> str:
    """A database migrated by the checkout's own `itemhub migrate`, with the bench rows."""
    url = create_postgres_database()
    subprocess.run(
        [str(tree / ".venv/bin/itemhub"), "migrate"],
        cwd=tree,
        env=os.environ | {"ITEMHUB_DATABASE_URL": url, "PYTHONPATH": str(tree)},
        check=True,
        capture_output=True,
    )
    password_hash = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    asyncio.run(seed_itemhub(url, password_hash))
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD", help="the commit to compare with")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--scenario",
        action="append",
        choices=list(SCENARIOS),
        help="only these scenarios (all by default): more rounds of one in the same time",
    )
    for side in ("base", "this"):
        parser.add_argument(
            f"--{side}-env",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help=f"an environment variable for the {side} side's server",
        )
    args = parser.parse_args()
    extra_env = {
        side: dict(pair.split("=", 1) for pair in getattr(args, f"{side}_env"))
        for side in ("base", "this")
    }
    ensure_wrk()
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as stack:
        work = Path(scratch)
        (work / "create.lua").write_text(
            'wrk.method = "POST"\nwrk.body = \'{"title": "Bench item", "price": 12.5}\'\n'
            'wrk.headers["Content-Type"] = "application/json"\n'
        )
        trees = {"base": stack.enter_context(checkout_of(args.base, work)), "this": ROOT}
        servers: dict[str, tuple[int, int, str]] = {}
        for side, tree in trees.items():
            url = seeded_database(tree)
            stack.callback(drop_postgres_database, url)
            port = free_port()
            env = {
                "ITEMHUB_DATABASE_URL": url,
                "ITEMHUB_SECRET_KEY": SECRET,
                "ITEMHUB_BCRYPT_ROUNDS": "4",
                "PYTHONPATH": str(tree),
            } | extra_env[side]
            command = [str(tree / ".venv/bin/itemhub"), "serve", "--port", str(port)]
            pid = stack.enter_context(serving(command, env, tree, port))
            base_url = f"http://127.0.0.1:{port}"
            servers[side] = (port, pid, token(base_url, "/api/v1/auth/token"))
        chosen = {name: SCENARIOS[name] for name in args.scenario or SCENARIOS}
        spent: dict[str, dict[str, list[float]]] = {s: {"base": [], "this": []} for s in chosen}
        for round_ in range(args.rounds):
            sides = ["base", "this"] if round_ % 2 == 0 else ["this", "base"]
            for scenario, (path, lua) in chosen.items():
                for side in sides:
                    port, pid, bearer = servers[side]
                    run = partial(
                        run_wrk,
                        f"http://127.0.0.1:{port}{path}",
                        args.connections,
                        args.seconds,
                        bearer,
                        str(work / lua) if lua else None,
                    )
                    measured, cpu = cpu_per_request_us(pid, run)
                    spent[scenario][side].append(cpu)
                    print(
                        f"round {round_} {scenario:<12} {side:<4} {measured.rps:7.0f} req/s "
                        f"{cpu:7.0f} us CPU/request  non-2xx {measured.non_2xx}",
                        flush=True,
                    )
    print(
        f"\nserver CPU per request, median of {args.rounds} rounds (this checkout vs {args.base})"
        + "".join(f"; {side} with {env}" for side, env in extra_env.items() if env)
    )
    for scenario, by_side in spent.items():
        base, this = statistics.median(by_side["base"]), statistics.median(by_side["this"])
        print(
            f"{scenario:<12} base {base:7.0f} us  this {this:7.0f} us  this/base {this / base:.3f}"
        )


if __name__ == "__main__":
    main()

"""Benchmark: does a failed login take as long for an unknown user as for a known one? How
many passwords does a burst of parallel guesses get checked? Does a reset request answer as
fast for an address without an account as for one with?

Through the whole HTTP stack in process (in-memory adapter, bcrypt at the production cost),
interleaving the three failure kinds so machine noise falls on all of them alike. Then N
guesses for one account from one address, all sent at once: the number answered 401 is the
number of passwords checked, which must equal the per-account limit (default 10). Reset
requests go to a real `itemhub serve` on a throw-away SQLite file (over loopback, since the
work after the answer must not be counted as in-process ASGI would), interleaved.

    .venv/bin/python -m tests.benchmarks.login_timing [--rounds 12] [--samples 40] [--burst 100]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from dependency_injector import providers
from pydantic import SecretStr

from application.use_cases.users import Registration, UserChanges
from domain.values import Email, PlainPassword, Username
from entrypoints.container import Container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.e2e.processes import itemhub, running_server

PASSWORD = "the right password"


async def measure(rounds: int, samples: int) -> dict[str, list[float]]:
    container = Container()
    container.settings.override(
        providers.Object(
            Settings(
                _env_file=None,  # type: ignore[call-arg]
                secret_key=SecretStr("timing-benchmark-secret-key-0123456789"),
                bcrypt_rounds=rounds,
                database_url="memory://",
                login_max_failures_per_account=10**9,
                login_max_failures_per_address=10**9,
            )
        )
    )
    register = container.register_user()
    known = await register(
        Registration(Email("known@example.com"), Username("known"), PlainPassword(PASSWORD)),
        "bench",
    )
    sleeper = await register(
        Registration(Email("idle@example.com"), Username("idle"), PlainPassword(PASSWORD)),
        "bench",
    )
    admin_user = await container.create_superuser()(
        Registration(Email("root@example.com"), Username("root"), PlainPassword(PASSWORD))
    )
    await container.update_user()(admin_user.user, sleeper.id, UserChanges(is_active=False))
    assert known.is_active
    kinds = {
        "unknown user": {"username": "nobody-at-all", "password": PASSWORD},
        "wrong password": {"username": "known", "password": "not the password"},
        "inactive user": {"username": "idle", "password": PASSWORD},
    }
    timings: dict[str, list[float]] = {kind: [] for kind in kinds}
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for _ in range(samples + 3):
            for kind, form in kinds.items():
                started = time.perf_counter()
                response = await client.post("/api/v1/auth/token", data=form)
                timings[kind].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 401, response.text
    return {kind: values[3:] for kind, values in timings.items()}  # drop the warm-up


async def burst(rounds: int, size: int) -> list[int]:
    """`size` wrong guesses at once, with the default limits; the statuses they got."""
    container = Container()
    container.settings.override(
        providers.Object(
            Settings(
                _env_file=None,  # type: ignore[call-arg]
                secret_key=SecretStr("timing-benchmark-secret-key-0123456789"),
                bcrypt_rounds=rounds,
                database_url="memory://",
            )
        )
    )
    await container.register_user()(
        Registration(Email("target@example.com"), Username("target"), PlainPassword(PASSWORD)),
        "bench",
    )
    guess = {"username": "target", "password": "a wrong guess"}
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        responses = await asyncio.gather(
            *(client.post("/api/v1/auth/token", data=guess) for _ in range(size))
        )
    return [response.status_code for response in responses]


def reset_timing(samples: int) -> dict[str, list[float]]:
    """Milliseconds to a 202 for an address with an active account and one without."""
    with tempfile.TemporaryDirectory() as directory:
        cwd = Path(directory)
        env = {
            "ITEMHUB_DATABASE_URL": f"sqlite+aiosqlite:///{cwd / 'bench.db'}",
            "ITEMHUB_BCRYPT_ROUNDS": "4",
            "ITEMHUB_MAIL_URL": "memory://",
            "ITEMHUB_MAIL_REQUESTS_PER_EMAIL_PER_HOUR": str(10**6),
            "ITEMHUB_MAIL_REQUESTS_PER_ADDRESS_PER_HOUR": str(10**6),
        }
        assert itemhub("migrate", cwd=cwd, env=env).returncode == 0
        kinds = {"account": "known@example.com", "no account": "nobody@example.com"}
        timings: dict[str, list[float]] = {kind: [] for kind in kinds}
        with running_server(env, cwd) as base_url, httpx.Client(base_url=base_url) as client:
            client.post(
                "/api/v1/users",
                json={"email": kinds["account"], "username": "known", "password": PASSWORD},
            )
            for _ in range(samples + 3):
                for kind, email in kinds.items():
                    started = time.perf_counter()
                    response = client.post("/api/v1/auth/password-reset", json={"email": email})
                    timings[kind].append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 202, response.text
        return {kind: values[3:] for kind, values in timings.items()}


def _print_medians(timings: dict[str, list[float]]) -> None:
    for kind, values in timings.items():
        quartiles = statistics.quantiles(values, n=4)
        print(
            f"  {kind:<15} median {statistics.median(values):7.2f}"
            f"  quartiles {quartiles[0]:7.2f} .. {quartiles[2]:7.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--burst", type=int, default=100)
    args = parser.parse_args()
    timings = asyncio.run(measure(args.rounds, args.samples))
    print(f"failed logins, bcrypt cost {args.rounds}, {args.samples} samples each (ms)")
    _print_medians(timings)
    statuses = asyncio.run(burst(args.rounds, args.burst))
    checked, refused = statuses.count(401), statuses.count(429)
    print(
        f"burst of {args.burst} parallel wrong guesses for one account from one address: "
        f"{checked} passwords checked (401), {refused} refused at once (429), "
        f"{len(statuses) - checked - refused} other; the limit is 10"
    )
    samples = args.samples * 5
    print(f"password-reset requests to a served app (SQLite), {samples} samples each (ms)")
    _print_medians(reset_timing(samples))


if __name__ == "__main__":
    main()

"""The `itemhub` command line: migrate, serve, create-superuser, seed, purge, mail-relay,
mail-status."""

from __future__ import annotations

import asyncio
import logging
import logging.config
import os
import secrets
import shutil
import signal
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

import typer
import uvicorn
from dependency_injector import providers
from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from adapters.options import DatabaseOptions
from application.errors import StorageUnavailable, SuperuserIdentityConflict
from application.use_cases.housekeeping import Purged
from application.use_cases.mail_relay import OutboxStatus
from application.use_cases.users import Registration
from domain.errors import InvalidValue
from domain.values import Email, PlainPassword, Username
from entrypoints.container import Container, open_database, open_mailer, shutdown
from entrypoints.logging import log_config
from entrypoints.mail_relay import relay_until
from entrypoints.metrics import MULTIPROCESS_DIR
from entrypoints.settings import ConfigurationError, Settings

T = TypeVar("T")
logger = logging.getLogger("itemhub.serve")
cli = typer.Typer(
    help="itemhub: publish and browse priced items over a REST API.", no_args_is_help=True
)


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.secho(f"itemhub: {message}", err=True, fg="red")
    return typer.Exit(code)


def _settings() -> Settings:
    try:
        settings = Settings()
        settings.token_secret()  # in development, makes the key file now, not in a worker
        _check_adapter_urls(settings)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: "
            + e["msg"].removeprefix("Value error, ")
            for e in error.errors()
        )
        raise _fail(f"invalid configuration: {problems}", 2) from None
    except (ConfigurationError, OSError) as error:
        raise _fail(f"invalid configuration: {error}", 2) from None
    return settings


def _check_adapter_urls(settings: Settings) -> None:
    """Some adapter serves each URL, and takes the rest of it (building one opens nothing)."""
    open_database(settings.database_url, DatabaseOptions())
    open_mailer(settings.mail_url, settings.mail_from, settings.mail_timeout_seconds)


def _shown(settings: Settings) -> str:
    return make_url(settings.database_url).render_as_string(hide_password=True)


def _run(settings: Settings, work: Callable[[Container], Awaitable[T]]) -> T:
    """Run async work against a container built from these settings, then release it."""

    async def main() -> T:
        container = Container()
        container.settings.override(providers.Object(settings))
        try:
            return await work(container)
        finally:
            await shutdown(container)

    try:
        return asyncio.run(main())
    except StorageUnavailable as error:
        raise _fail(f"cannot reach {_shown(settings)}: {error.reason}") from None


@cli.command()
def migrate() -> None:
    """Apply the database migrations to the configured database."""
    settings = _settings()
    try:
        done = open_database(settings.database_url, DatabaseOptions(pooled=False)).migrate()
    except (OSError, DBAPIError) as error:
        reason = str(getattr(error, "orig", error)).splitlines()[0]
        raise _fail(f"cannot migrate {_shown(settings)}: {reason}") from None
    if done.applied:
        typer.echo(
            f"Migrated {_shown(settings)}: applied {', '.join(done.applied)}; "
            f"now at {done.current}."
        )
    elif done.current is not None:
        typer.echo(f"{_shown(settings)} is already at {done.current}: nothing to apply.")
    else:
        typer.echo(f"{_shown(settings)} has no schema to migrate.")


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1)] = 1,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            help="Proxies whose X-Forwarded-For to trust, comma-separated "
            "(uvicorn's default: 127.0.0.1)."
        ),
    ] = None,
) -> None:
    """Serve the API with uvicorn (run `itemhub migrate` first)."""
    settings = _settings()
    if workers > 1 and settings.database_url.startswith("memory:"):
        raise _fail("memory:// would give each worker a database of its own: use --workers 1", 2)
    # Logging as serve's workers will have it, so these lines come out in the same format.
    logging.config.dictConfig(log_config(settings.log_format))
    if workers > 1 and settings.rate_limit_storage_url.startswith("memory"):
        logger.warning(
            "each worker counts failed logins on its own; "
            "set ITEMHUB_RATE_LIMIT_STORAGE_URL=redis://... to share the count"
        )
    docs = f" — API docs at http://{host}:{port}/docs" if settings.docs_enabled else ""
    logger.info("itemhub on http://%s:%s%s", host, port, docs)
    with _shared_metrics(workers > 1 and settings.metrics_enabled):
        uvicorn.run(
            "entrypoints.http.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            forwarded_allow_ips=forwarded_allow_ips,
            access_log=False,  # itemhub writes its own access line, with the request id
            server_header=False,  # which server and version runs here is nobody else's business
            log_config=log_config(settings.log_format),
        )


@contextmanager
def _shared_metrics(several_workers: bool) -> Iterator[None]:
    """With several workers, each writes its metrics to files in one fresh directory, which
    `/metrics` adds up (prometheus-client's multiprocess mode); removed when serve ends. The
    variable must be set before a worker imports prometheus-client: workers are new
    processes, started after this."""
    if not several_workers or os.environ.get(MULTIPROCESS_DIR):
        yield
        return
    directory = tempfile.mkdtemp(prefix="itemhub-metrics-")
    os.environ[MULTIPROCESS_DIR] = directory
    try:
        yield
    finally:
        os.environ.pop(MULTIPROCESS_DIR, None)
        shutil.rmtree(directory, ignore_errors=True)


@cli.command("create-superuser")
def create_superuser(
    email: Annotated[str, typer.Argument(help="The superuser's email address.")],
    username: Annotated[str, typer.Argument(help="The superuser's username.")],
) -> None:
    """Create a superuser, or promote the existing account with this email and username.

    The password comes from ITEMHUB_SUPERUSER_PASSWORD, or is asked for without echo. An
    existing account keeps its password."""
    settings = _settings()
    password = os.environ.get("ITEMHUB_SUPERUSER_PASSWORD") or typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    try:
        registration = Registration(Email(email), Username(username), PlainPassword(password))
    except InvalidValue as error:
        raise _fail(error.detail, 2) from None

    async def work(container: Container) -> Any:
        return await container.create_superuser()(registration)

    try:
        result = _run(settings, work)
    except SuperuserIdentityConflict as error:
        raise _fail(error.detail) from None
    verb = "Created" if result.created else "Promoted"
    typer.echo(
        f"{verb} superuser {result.user.username} <{result.user.email}> (id {result.user.id})."
    )


@cli.command()
def seed(
    users: Annotated[int, typer.Option(help="Demo accounts to add.", min=0)] = 10,
    items: Annotated[int, typer.Option(help="Demo items to add, spread over them.", min=0)] = 1000,
) -> None:
    """Fill the database with demo data. Demo accounts get a random password nobody knows."""
    settings = _settings()
    if items and not users:
        raise _fail("items need owners: pass --users 1 or more", 2)

    async def work(container: Container) -> tuple[int, int]:
        # Imported here: only a SQL database can be seeded, in bulk, and only `seed` does it.
        from adapters.sql import SqlDatabase  # noqa: PLC0415
        from adapters.sql.seeding import seed_demo_data  # noqa: PLC0415

        database = container.database()
        if not isinstance(database, SqlDatabase):
            raise _fail(f"{_shown(settings)} keeps nothing after this command: nothing to seed", 2)
        password_hash = await container.hasher().hash(secrets.token_urlsafe(24))
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns) as progress:
            task = progress.add_task("Seeding", total=users + items)
            return await seed_demo_data(
                database.engine,
                users=users,
                items=items,
                password_hash=password_hash,
                now=container.clock().now(),
                progress=lambda done: progress.advance(task, done),
            )

    added_users, added_items = _run(settings, work)
    typer.echo(f"Added {added_users} users and {added_items} items to {_shown(settings)}.")


@cli.command()
def purge() -> None:
    """Delete ended and expired sessions with their refresh tokens, spent and expired reset
    and verification tokens, and sent mail (run it daily, from cron or a systemd timer: every
    refresh leaves a spent token behind until its session goes)."""
    settings = _settings()

    async def work(container: Container) -> Purged:
        return await container.purge()()

    purged = _run(settings, work)
    typer.echo(
        f"Purged {purged.sessions} ended or expired sessions, {purged.account_tokens} spent or "
        f"expired link tokens and {purged.mails} sent mails from {_shown(settings)}."
    )


@cli.command("mail-relay")
def mail_relay(
    once: Annotated[bool, typer.Option(help="One pass over the outbox, then exit.")] = False,
) -> None:
    """Send the outbox's mail, until stopped (Ctrl-C, SIGTERM). Run it beside `itemhub serve`
    started with ITEMHUB_MAIL_RELAY_IN_SERVE=false, or as well: relays share the work."""
    settings = _settings()

    async def work(container: Container) -> None:
        relay = container.relay_mail()
        if once:
            report = await relay()
            typer.echo(f"Sent {report.sent}, {report.retrying} to retry, {report.failed} failed.")
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signal_number, stop.set)
        typer.echo(f"Relaying mail from {_shown(settings)}; Ctrl-C stops.")
        await relay_until(stop, relay, settings.mail_relay_poll_seconds)  # no /metrics here

    _run(settings, work)


@cli.command("mail-status")
def mail_status() -> None:
    """How many mails wait, were sent and failed; the latest failures and why."""
    settings = _settings()

    async def work(container: Container) -> OutboxStatus:
        return await container.show_outbox()()

    status = _run(settings, work)
    typer.echo(", ".join(f"{state.value} {count}" for state, count in status.counts.items()))
    for mail in status.failed:
        typer.echo(
            f"failed: mail {mail.id} to {mail.to} after {mail.attempts} attempts: {mail.last_error}"
        )


def main() -> None:
    cli()

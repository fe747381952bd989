"""The `itemhub` command line."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from adapters.sql.migrate import upgrade
from entrypoints.settings import Settings

cli = typer.Typer(
    help="itemhub: publish and browse priced items over a REST API.", no_args_is_help=True
)


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in error.errors()
        )
        typer.secho(f"itemhub: invalid configuration: {problems}", err=True, fg="red")
        raise typer.Exit(2) from None


@cli.command()
def migrate() -> None:
    """Apply the database migrations to the configured database."""
    settings = _settings()
    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    try:
        upgrade(settings.database_url)
    except (OSError, DBAPIError) as error:
        reason = str(getattr(error, "orig", error)).splitlines()[0]
        typer.secho(f"itemhub: cannot migrate {shown}: {reason}", err=True, fg="red")
        raise typer.Exit(1) from None
    typer.echo(f"Database {shown} is up to date.")


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1)] = 1,
) -> None:
    """Serve the API with uvicorn."""
    typer.echo(f"itemhub on http://{host}:{port} (API docs at http://{host}:{port}/docs)")
    uvicorn.run(
        "entrypoints.http.app:create_app", factory=True, host=host, port=port, workers=workers
    )


def main() -> None:
    cli()

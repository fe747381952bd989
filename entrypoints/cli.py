"""The `itemhub` command line."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

cli = typer.Typer(
    help="itemhub: publish and browse priced items over a REST API.", no_args_is_help=True
)


@cli.callback()
def _root() -> None:
    """Keeps typer from collapsing a one-command app into a bare command."""


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1)] = 1,
) -> None:
    """Serve the API with uvicorn."""
    typer.echo(f"itemhub on http://{host}:{port} (API docs at http://{host}:{port}/docs)")
    uvicorn.run("entrypoints.app:create_app", factory=True, host=host, port=port, workers=workers)


def main() -> None:
    cli()

"""``barista login``, ``logout`` and ``whoami``: which server (remote mode) or database (local
mode) the CLI works on, and as whom."""

from __future__ import annotations

import typer

from barista_ui.cli.context import handle_errors
from barista_ui.cli.errors import CliError
from barista_ui.cli.remote import Client, Target, forget_login, save_login, target


@handle_errors
def login(
    url: str = typer.Argument(..., help="The server, e.g. https://barista.example.com"),
    token: str | None = typer.Option(
        None, "--token", help="API token (asked for when not given; BARISTA_TOKEN also works)"
    ),
) -> None:
    """Use a Barista server from now on: checks the token, then stores URL and token in your
    config directory (readable by you only)."""
    import os

    if not url.startswith(("http://", "https://")):
        raise CliError(f"'{url}': give the server's URL, e.g. https://barista.example.com", 2)
    token = (
        token
        or os.environ.get("BARISTA_TOKEN")
        or typer.prompt(
            "API token (empty for a server without authentication)",
            default="",
            hide_input=True,
            show_default=False,
        )
    )
    me = Client(Target(url.rstrip("/"), token, "login")).get("/whoami")
    path = save_login(url, token)
    typer.echo(
        f"logged in to {url.rstrip('/')} as {me['detail'] or me['identity']} (saved in {path})"
    )


@handle_errors
def logout() -> None:
    """Forget the server stored by ``barista login`` (back to local mode)."""
    typer.echo("logged out" if forget_login() else "not logged in")


@handle_errors
def whoami() -> None:
    """Say the mode (local or remote), where, and the identity changes are recorded under."""
    t = target()
    if t is not None:
        from barista_ui.cli.remote import client

        me = client().get("/whoami")
        typer.echo(f"mode: remote\nurl: {t.url} (from {t.source})\nidentity: {me['detail']}")
        return
    from barista_ui.cli.context import actor
    from barista_ui.settings import Settings

    url = Settings().database_url
    shown = url.split("@")[-1] if "@" in url else url  # never print a password
    typer.echo(f"mode: local\ndatabase: {shown}\nidentity: {actor().describe()}")

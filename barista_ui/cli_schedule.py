"""``barista schedule ...``: check and list transitions of schedule specs."""

from __future__ import annotations

import typer

from barista_ui.schedule import (
    ScheduleError,
    format_utc,
    next_transitions,
    parse_schedule,
    parse_time,
    state_at,
)

schedule_app = typer.Typer(
    help="Off-hours schedules: check specs and list transitions.", no_args_is_help=True
)


def _schedule(spec: str, downtime: bool, timezone: str | None):
    try:
        return parse_schedule(None if downtime else spec, spec if downtime else None, timezone)
    except ScheduleError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _time(text: str, timezone: str | None):
    try:
        return parse_time(text, timezone)
    except ScheduleError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


@schedule_app.command("check")
def check(
    spec: str = typer.Argument(..., help="e.g. 'Mon-Fri 07:30-20:30 Europe/Berlin'"),
    at: str = typer.Option(..., "--at", help="RFC 3339 time (naive times use --timezone or UTC)"),
    downtime: bool = typer.Option(
        False, "--downtime", help="SPEC is a downtime spec (inside = down)"
    ),
    timezone: str | None = typer.Option(
        None, "--timezone", help="Default timezone for windows and --at"
    ),
) -> None:
    """Print 'up' or 'down' for SPEC at a time."""
    schedule = _schedule(spec, downtime, timezone)
    typer.echo(state_at(schedule, _time(at, timezone)))


@schedule_app.command("next")
def next_(
    spec: str = typer.Argument(...),
    from_: str = typer.Option(..., "--from", help="RFC 3339 time to start after"),
    count: int = typer.Option(5, "--count", min=1, max=1000),
    downtime: bool = typer.Option(False, "--downtime"),
    timezone: str | None = typer.Option(None, "--timezone"),
) -> None:
    """Print the next transitions: an RFC 3339 UTC time, a space, 'up' or 'down'."""
    schedule = _schedule(spec, downtime, timezone)
    for instant, state in next_transitions(schedule, _time(from_, timezone), count):
        typer.echo(f"{format_utc(instant)} {state}")

"""``barista schedule ...``: check and list transitions of schedule specs."""

from __future__ import annotations

from typing import Any

import typer

from barista_ui.cli.context import actor, fail, handle_errors, services
from barista_ui.cli.remote import is_remote

# The schedule language and decisions are imported by the commands that use them: `barista
# --help` and the other commands start without them.

schedule_app = typer.Typer(
    help="Off-hours schedules: check specs and list transitions.", no_args_is_help=True
)


def _schedule(spec: str, downtime: bool, timezone: str | None):
    from barista_ui.schedule.language import ScheduleError, parse_schedule, parse_spec

    try:
        parse_spec(spec, timezone)  # an empty SPEC is an error here, not "no schedule"
        return parse_schedule(None if downtime else spec, spec if downtime else None, timezone)
    except ScheduleError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _time(text: str, timezone: str | None):
    from barista_ui.schedule.language import ScheduleError, parse_time

    try:
        return parse_time(text, timezone)
    except ScheduleError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


@schedule_app.command("check")
@handle_errors
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
    from barista_ui.schedule.language import state_at

    schedule = _schedule(spec, downtime, timezone)
    typer.echo(state_at(schedule, _time(at, timezone)))


@schedule_app.command("next")
@handle_errors
def next_(
    spec: str = typer.Argument(...),
    from_: str = typer.Option(..., "--from", help="RFC 3339 time to start after"),
    count: int = typer.Option(5, "--count", min=1, max=1000),
    downtime: bool = typer.Option(False, "--downtime"),
    timezone: str | None = typer.Option(None, "--timezone"),
) -> None:
    """Print the next transitions: an RFC 3339 UTC time, a space, 'up' or 'down'."""
    from barista_ui.schedule.language import format_utc, next_transitions

    schedule = _schedule(spec, downtime, timezone)
    for instant, state in next_transitions(schedule, _time(from_, timezone), count):
        typer.echo(f"{format_utc(instant)} {state}")


def _calendar(holidays: str | None) -> tuple[str, str | None] | None:
    """``DE-BY`` → ("DE", "BY"); ``US`` → ("US", None)."""
    if not holidays:
        return None
    country, _, subdiv = holidays.partition("-")
    return country.upper(), subdiv.upper() or None


def _set_model_schedule(
    svc,
    model: str,
    namespace: str | None,
    schedule: dict | None,
) -> None:
    """A model's schedule is part of its record: saved as a new revision (validated with the
    record, so errors name the field, e.g. ``schedule.uptime``)."""
    rec = svc.registry.get(model, namespace)
    data = rec.spec.model_dump()
    data["schedule"] = schedule
    svc.models.update(
        rec.namespace,
        rec.name,
        data,
        expected_version=rec.version,
        actor=actor(),
        source="cli",
        reason="schedule changed",
    )


@schedule_app.command("set")
@handle_errors
def set_(
    global_: bool = typer.Option(False, "--global", help="The global default"),
    team: str | None = typer.Option(None, "--team"),
    model: str | None = typer.Option(None, "--model"),
    namespace: str | None = typer.Option(None, "--namespace", "-n"),
    uptime: str | None = typer.Option(None, "--uptime"),
    downtime: str | None = typer.Option(None, "--downtime"),
    clear: bool = typer.Option(False, "--clear", help="Remove the schedule at this level"),
    timezone: str | None = typer.Option(None, "--timezone"),
    holidays: str | None = typer.Option(
        None, "--holidays", help="Country[-subdivision], e.g. DE-BY"
    ),
) -> None:
    """Set the global, a team's or a model's schedule (a model's is a revision of its record)."""
    if sum([global_, bool(team), bool(model)]) != 1:
        fail("give exactly one of --global, --team T, --model NAME", 2)
    if not clear and not (uptime or downtime):
        fail("give --uptime SPEC or --downtime SPEC (or --clear)", 2)
    cal = _calendar(holidays)
    if is_remote():
        from barista_ui.cli import remote_schedule

        wanted = None if clear else {"uptime": uptime, "downtime": downtime, "timezone": timezone}
        remote_schedule.set_schedule(global_, team, model, namespace, wanted, holidays)
        typer.echo("schedule saved")
        return
    from barista_ui.records.registry import RegistryError
    from barista_ui.schedule.language import ScheduleError

    svc = services()
    try:
        if model:
            schedule: dict[str, Any] | None = None
            if not clear:
                schedule = {
                    "uptime": uptime,
                    "downtime": downtime,
                    "timezone": timezone,
                    "holidays": {"country": cal[0], "subdiv": cal[1]} if cal else None,
                }
            _set_model_schedule(svc, model, namespace, schedule)
        else:
            svc.scheduler.set_policy(
                "global" if global_ else "team",
                team or "",
                uptime=None if clear else uptime,
                downtime=None if clear else downtime,
                timezone=timezone,
                holidays=cal,
                actor=actor(),
            )
    except (ScheduleError, RegistryError, ValueError) as exc:
        fail(str(exc), 2 if isinstance(exc, ScheduleError) else 1)
    typer.echo("schedule saved")


@schedule_app.command("show")
@handle_errors
def show(team: str | None = typer.Option(None, "--team")) -> None:
    """The global default and team schedules."""
    if is_remote():
        from barista_ui.cli import remote_schedule

        rows = remote_schedule.policies(team)
    else:
        rows = [
            {k: getattr(p, k) for k in POLICY_KEYS}
            for (_, t), p in sorted(services().scheduler.policies().items())
            if not team or t == team
        ]
    for p in rows:
        typer.echo(policy_line(p))


POLICY_KEYS = (
    "scope",
    "team",
    "uptime",
    "downtime",
    "holiday_country",
    "holiday_subdiv",
    "updated_by",
)


def policy_line(p: dict) -> str:
    label = "global" if p["scope"] == "global" else f"team {p['team']}"
    spec = (
        f"uptime '{p['uptime']}'"
        if p["uptime"]
        else (f"downtime '{p['downtime']}'" if p["downtime"] else "none")
    )
    sub = p["holiday_subdiv"]
    cal = (
        f", holidays {p['holiday_country']}{'-' + sub if sub else ''}"
        if p["holiday_country"]
        else ""
    )
    return f"{label}: {spec}{cal} (by {p['updated_by']})"


@schedule_app.command("explain")
@handle_errors
def explain_(
    name: str,
    namespace: str | None = typer.Option(None, "--namespace", "-n"),
    at: str | None = typer.Option(None, "--at", help="RFC 3339 time (default: now)"),
    tz: str | None = typer.Option(
        None, "--tz", help="IANA zone the times are printed in (default: this machine's zone)"
    ),
) -> None:
    """Print the model's state and which rule decided it (times with their zone and offset)."""
    from datetime import UTC, datetime

    from barista_ui.schedule.decide import explain, local_zone_name
    from barista_ui.schedule.language import ScheduleError, parse_time, zone

    if is_remote():
        from barista_ui.cli import remote_schedule

        try:
            when = parse_time(at) if at else datetime.now(UTC)
        except ScheduleError as exc:
            fail(str(exc))
        typer.echo(remote_schedule.explain(name, namespace, when, tz or local_zone_name()))
        return
    from barista_ui.records.registry import RegistryError

    svc = services()
    try:
        rec = svc.registry.get(name, namespace)
        when = parse_time(at) if at else datetime.now(UTC)
        engine = svc.scheduler
        decision = engine.decide_for(rec, when)
        zone_name = tz or local_zone_name()
        zone(zone_name)  # an unknown zone is an error naming it
        text = explain(decision, zone_name, when, label="offset")
        typer.echo(f"{decision.state} — rule: {decision.rule} — {text}")
    except (ScheduleError, RegistryError) as exc:
        fail(str(exc))


@handle_errors
def override_command(
    name: str,
    up: bool = typer.Option(False, "--up", help="Keep it up"),
    down: bool = typer.Option(False, "--down", help="Keep it down"),
    until: str | None = typer.Option(None, "--until", help="RFC 3339 end (at most 7 days ahead)"),
    reason: str = typer.Option("", "--reason"),
    clear: bool = typer.Option(False, "--clear", help="End the model's active overrides now"),
    namespace: str | None = typer.Option(None, "--namespace", "-n"),
) -> None:
    """Keep a model up or down until a time, whatever its schedule says."""
    from barista_ui.schedule.language import ScheduleError, parse_time

    if is_remote():
        from barista_ui.cli import remote_schedule

        if not clear and (up == down or not until):
            fail("give --up or --down, and --until TIME", 2)
        try:
            typer.echo(remote_schedule.override(name, namespace, up, until, reason, clear))
        except ScheduleError as exc:
            fail(str(exc))
        return

    from barista_ui.records.registry import RegistryError

    svc = services()
    try:
        rec = svc.registry.get(name, namespace)
        engine = svc.scheduler
        if clear:
            n = engine.clear_override(rec.key, actor())
            typer.echo(f"{n} override(s) cleared")
            return
        if up == down or not until:
            fail("give --up or --down, and --until TIME", 2)
        engine.set_override(
            rec.key, "up" if up else "down", parse_time(until), actor=actor(), reason=reason
        )
        if svc.cluster.gateway is not None:
            engine.reconcile(reason="override", keys={rec.key})
        typer.echo(f"{rec.namespace}/{rec.name} kept {'up' if up else 'down'} until {until}")
    except (ScheduleError, RegistryError) as exc:
        fail(str(exc))

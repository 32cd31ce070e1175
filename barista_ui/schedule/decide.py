"""Who decides whether a model is up: a pure resolver over overrides, holidays and schedules.

Order: a manual override (until it expires), an exclusion, a holiday, the model's schedule,
its team's, the global default, and finally "always up". A new model gets a grace period
before its first scheduled scale-down.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Literal

from barista_ui.schedule.language import (
    Schedule,
    ScheduleError,
    holiday_name,
    next_transitions,
    state_at,
    wall_to_instant,
    zone,
)

Rule = Literal["override", "exclusion", "grace", "holiday", "model", "team", "global", "default"]
MAX_OVERRIDE = timedelta(days=7)


@dataclass(frozen=True)
class Override:
    state: Literal["up", "down"]
    until: datetime
    actor: str
    reason: str
    implicit: bool = False


@dataclass(frozen=True)
class Layer:
    schedule: Schedule | None = None
    holidays: tuple[str, str | None] | None = None  # (country, subdivision)
    tz: str = "UTC"
    text: str = ""


@dataclass(frozen=True)
class Decision:
    state: Literal["up", "down"]
    rule: Rule
    detail: str
    until: datetime | None  # when this decision can next change


def decide(
    at: datetime,
    *,
    model: Layer | None = None,
    team: Layer | None = None,
    global_: Layer | None = None,
    override: Override | None = None,
    excluded: bool = False,
    created_at: datetime | None = None,
    grace: timedelta = timedelta(minutes=15),
    need_until: bool = True,
) -> Decision:
    """``need_until=False`` skips computing when the decision changes (faster, for reconciles)."""
    at = at.astimezone(UTC)
    if override is not None and at < override.until:
        who = "manual scale" if override.implicit else f"override by {override.actor}"
        return Decision(
            override.state, "override", f"{who}: {override.reason}".rstrip(": "), override.until
        )
    if excluded:
        return Decision("up", "exclusion", "excluded from scheduling", None)
    decision = _scheduled(at, model, team, global_, need_until=need_until)
    if (
        decision.state == "down"
        and created_at is not None
        and created_at <= at < created_at + grace
    ):
        return Decision(
            "up", "grace", f"new model: first scale-down after {grace} grace", created_at + grace
        )
    return decision


def _scheduled(at: datetime, *layers_in: Layer | None, need_until: bool = True) -> Decision:
    names: tuple[Rule, ...] = ("model", "team", "global")
    layers = list(zip(names, layers_in, strict=True))
    for name, layer in layers:
        if layer is not None and layer.holidays:
            country, subdiv = layer.holidays
            holiday = holiday_name(at, country, subdiv, layer.tz)
            if holiday:
                tz = zone(layer.tz)
                next_day = at.astimezone(tz).date() + timedelta(days=1)
                return Decision(
                    "down",
                    "holiday",
                    f"{holiday} ({name} calendar {country}{'-' + subdiv if subdiv else ''})",
                    wall_to_instant(next_day, time(0), tz),
                )
            break  # the most specific calendar applies
    for name, layer in layers:
        if (
            layer is not None
            and layer.schedule is not None
            and (layer.schedule.uptime or layer.schedule.downtime)
        ):
            state = state_at(layer.schedule, at)
            nxt = next_transitions(layer.schedule, at, 1) if need_until else []
            kind = "uptime" if layer.schedule.uptime else "downtime"
            spec = (layer.schedule.uptime or layer.schedule.downtime).text  # type: ignore[union-attr]
            until = nxt[0][0] if nxt else None
            if layer.holidays:
                until = (
                    min(until, _next_midnight(at, layer.tz))
                    if until
                    else _next_midnight(at, layer.tz)
                )
            return Decision(state, name, f"{name} {kind} '{spec}'", until)
    return Decision("up", "default", "no schedule applies: always up", None)


def _next_midnight(at: datetime, tz_name: str) -> datetime:
    tz = zone(tz_name)
    return wall_to_instant(at.astimezone(tz).date() + timedelta(days=1), time(0), tz)


def validate_override(state: str, until: datetime, now: datetime, max_days: int = 7) -> None:
    if state not in ("up", "down"):
        raise ScheduleError(f"override state must be 'up' or 'down', not '{state}'")
    if until <= now:
        raise ScheduleError(f"override end {until:%Y-%m-%d %H:%M} UTC is in the past")
    if until - now > timedelta(days=max_days):
        raise ScheduleError(
            f"override end is more than {max_days} days ahead; the maximum is {max_days} days"
        )


def zone_label(when: datetime, style: str = "abbr") -> str:
    """The zone of an aware time as people read it: "CET" ("abbr"; zones without an
    abbreviation give their offset, "+0530"), or "CET, UTC+01:00" ("offset")."""
    abbr = when.strftime("%Z")
    if style != "offset":
        return abbr
    off = when.utcoffset() or timedelta(0)
    sign = "-" if off < timedelta(0) else "+"
    minutes = abs(int(off.total_seconds())) // 60
    return f"{abbr}, UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def explain(
    decision: Decision, tz: str = "UTC", now: datetime | None = None, *, label: str = ""
) -> str:
    """One line a person reads: "down until Mon 07:30 (team uptime 'Mon-Fri ...')". With
    ``label`` ("abbr" or "offset", see :func:`zone_label`) the time names its zone."""
    if decision.until is None:
        when = "" if decision.rule in ("default", "exclusion") else " for now"
        head = f"{decision.state}{when}"
        if decision.rule == "default":
            return "always up (no schedule applies)"
        if decision.rule == "exclusion":
            return "excluded: always up"
    else:
        local = decision.until.astimezone(zone(tz))
        ref = (now or datetime.now(UTC)).astimezone(zone(tz))
        if local.date() == ref.date():
            stamp = local.strftime("%H:%M")
        elif (local.date() - ref.date()).days < 7:
            stamp = local.strftime("%a %H:%M")
        else:
            stamp = local.strftime("%Y-%m-%d %H:%M")
        if label:
            stamp += f" {zone_label(local, label)}"
        head = f"{decision.state} until {stamp}"
    return f"{head} ({decision.detail})"


def local_zone_name() -> str:
    """This machine's IANA zone: ``TZ``, else the target of /etc/localtime, else UTC."""
    import os
    from pathlib import Path

    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        try:
            target = str(Path("/etc/localtime").resolve())
        except OSError:
            target = ""
        name = target.partition("zoneinfo/")[2]
    try:
        zone(name)
    except Exception:
        return "UTC"
    return name or "UTC"

"""The three levels a schedule can come from (the model, its team, the global default), read from
a record and the saved policies, and the pure decisions built on them. No I/O here: callers pass
the policies, overrides and the instant."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from barista_ui.records.registry import ModelRecord
from barista_ui.schedule.decide import Decision, Layer, Override, decide
from barista_ui.schedule.language import next_transitions, parse_schedule, up_hours_per_week
from data.ops_tables import SchedulePolicy

Key = tuple[str, str]


def layer(
    uptime: str | None,
    downtime: str | None,
    tz: str | None,
    country: str | None,
    subdiv: str | None,
    default_tz: str,
) -> Layer | None:
    """One level's layer, or None when that level sets neither a schedule nor holidays."""
    tz = tz or default_tz
    if not (uptime or downtime or country):
        return None
    sched = parse_schedule(uptime, downtime, tz) if (uptime or downtime) else None
    return Layer(sched, (country, subdiv) if country else None, tz)


def policy_layer(policy: SchedulePolicy | None, default_tz: str) -> Layer | None:
    if policy is None:
        return None
    return layer(
        policy.uptime,
        policy.downtime,
        policy.timezone,
        policy.holiday_country,
        policy.holiday_subdiv,
        default_tz,
    )


def model_layer(record: ModelRecord, default_tz: str) -> Layer | None:
    sc = record.spec.schedule
    if not sc:
        return None
    cal = sc.holidays
    return layer(
        sc.uptime,
        sc.downtime,
        sc.timezone,
        cal.country if cal else None,
        cal.subdiv if cal else None,
        default_tz,
    )


def decide_record(
    record: ModelRecord,
    at: datetime,
    policies: Mapping[tuple[str, str], SchedulePolicy],
    overrides: Mapping[Key, Override],
    *,
    default_tz: str,
    grace: timedelta,
    need_until: bool = True,
) -> Decision:
    """Whether ``record`` should be up at ``at``, and by which rule (raises ScheduleError)."""
    sc = record.spec.schedule
    return decide(
        at,
        model=model_layer(record, default_tz),
        team=policy_layer(policies.get(("team", record.spec.team)), default_tz),
        global_=policy_layer(policies.get(("global", "")), default_tz),
        override=overrides.get(record.key),
        excluded=bool(sc and sc.exclude),
        created_at=record.created_at,
        grace=grace,
        need_until=need_until,
    )


def record_timezone(record: ModelRecord, default_tz: str) -> str:
    sc = record.spec.schedule
    return (sc.timezone if sc and sc.timezone else None) or default_tz


def transitions_text(
    uptime: str | None, downtime: str | None, tz: str, now: datetime, n: int = 5
) -> list[str]:
    sched = parse_schedule(uptime, downtime, tz)
    return [f"{i:%Y-%m-%d %H:%M} UTC → {s}" for i, s in next_transitions(sched, now, n)]


def week_up_fraction(
    spec: Any,
    policies: Mapping[tuple[str, str], SchedulePolicy],
    at: datetime,
    default_tz: str,
) -> float:
    """Share of ``at``'s week the schedule keeps the model up (model, else team, else global)."""
    sc = spec.schedule
    candidates = []
    if sc and (sc.uptime or sc.downtime):
        candidates.append((sc.uptime, sc.downtime, sc.timezone))
    for key in (("team", spec.team), ("global", "")):
        p = policies.get(key)
        if p and (p.uptime or p.downtime):
            candidates.append((p.uptime, p.downtime, p.timezone))
    if sc and sc.exclude or not candidates:
        return 1.0
    up, down, tz = candidates[0]
    sched = parse_schedule(up, down, tz or default_tz)
    monday = (at - timedelta(days=at.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    return up_hours_per_week(sched, monday) / 168

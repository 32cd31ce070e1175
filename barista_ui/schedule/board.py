"""What the Schedules tab shows and saves: each level (global, every team) with its policy,
the replicas it runs, what they cost per hour and what downtime saved this month, plus the
scheduler's recent actions. Cost figures come in as callables, so ``schedule`` does not import
``cost``; the page receives this one typed service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from barista_ui.access.actor import Actor
from barista_ui.records.registry import ModelRecord
from barista_ui.records.spec import ModelSpec
from barista_ui.schedule.engine import SchedulerEngine
from barista_ui.schedule.store import SchedulerAction


@dataclass(frozen=True)
class Level:
    """One schedule level as the card shows it: its saved policy and what it runs."""

    scope: str
    team: str
    policy: Any  # the saved SchedulePolicy row, or None
    running_replicas: int
    hourly_usd: float = 0.0  # what its running replicas cost per hour when up
    saved_mtd: float = 0.0  # what scheduled downtime saved this month

    @property
    def title(self) -> str:
        return "Global default" if self.scope == "global" else f"Team {self.team}"

    @property
    def mark(self) -> str:
        return f"{self.scope}-{self.team}"


@dataclass(frozen=True)
class SchedulesData:
    levels: list[Level] = field(default_factory=list)
    actions: list[SchedulerAction] = field(default_factory=list)


class ScheduleBoard:
    def __init__(
        self,
        scheduler: SchedulerEngine,
        records: Callable[[], list[ModelRecord]],
        *,
        hourly_rate: Callable[[ModelSpec], float],  # $ per replica-hour; ValueError if unpriced
        saved_by_team: Callable[[datetime], dict[str, float]],  # month to date, at a time
        connected: bool,
        dry_run: bool,
    ):
        self.scheduler = scheduler
        self.records = records
        self.hourly_rate = hourly_rate
        self.saved_by_team = saved_by_team
        self.connected = connected
        self.dry_run = dry_run

    @property
    def default_tz(self) -> str:
        return self.scheduler.default_tz

    def load(self, now: datetime) -> SchedulesData:
        """The global and team levels with their figures, and the recent actions (reads the
        database: call it off the event loop)."""
        replicas: dict[str, int] = {}
        usd: dict[str, float] = {}
        for r in self.records():
            if not r.spec.enabled:
                continue
            team = r.spec.team
            replicas[team] = replicas.get(team, 0) + r.spec.replicas
            try:
                usd[team] = usd.get(team, 0.0) + self.hourly_rate(r.spec) * r.spec.replicas
            except ValueError:
                pass
        saved = self.saved_by_team(now)
        policies = self.scheduler.policies()
        levels = [
            Level(
                "global",
                "",
                policies.get(("global", "")),
                sum(replicas.values()),
                sum(usd.values()),
                sum(saved.values()),
            )
        ]
        levels += [
            Level(
                "team",
                team,
                policies.get(("team", team)),
                replicas[team],
                usd.get(team, 0.0),
                saved.get(team, 0.0),
            )
            for team in sorted(replicas)
        ]
        return SchedulesData(levels, self.scheduler.actions(100))

    def set_policy(
        self,
        level: Level,
        *,
        uptime: str | None,
        downtime: str | None,
        timezone: str | None,
        holidays: tuple[str, str | None] | None,
        actor: Actor,
    ) -> None:
        self.scheduler.set_policy(
            level.scope,
            level.team,
            uptime=uptime,
            downtime=downtime,
            timezone=timezone,
            holidays=holidays,
            actor=actor,
        )

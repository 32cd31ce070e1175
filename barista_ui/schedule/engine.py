"""The off-hours scheduler: one pass decides for every enabled model and acts where the state
must change. Deciding is pure (``levels``), the database is the store (``store``), the cluster
writes are the transitions (``act``); the clock, database and cluster are passed in."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from barista_ui.access import roles
from barista_ui.access.actor import Actor
from barista_ui.access.roles import authorize
from barista_ui.records.record import Unreadable
from barista_ui.records.registry import ModelRecord, RegistryService
from barista_ui.schedule.act import (
    REASON_OF_RULE,
    LiveDeployment,
    LiveSnapshot,
    Transitions,
    live_snapshot,
)
from barista_ui.schedule.batch import Batch, Due, Move, plan_moves
from barista_ui.schedule.decide import Decision, Override, explain
from barista_ui.schedule.language import ScheduleError
from barista_ui.schedule.levels import (
    decide_record,
    record_timezone,
    transitions_text,
    week_up_fraction,
)
from barista_ui.schedule.store import Entry, Key, Memory, Outcome, Policies, ScheduleStore
from data.ops_tables import SchedulerAction
from data.types import utcnow
from k8s.gateway import ClusterGateway

__all__ = [
    "REASON_OF_RULE",
    "Key",
    "LiveDeployment",
    "Memory",
    "Plan",
    "SchedulerEngine",
    "transitions_text",
    "up_fraction",
]

log = logging.getLogger("barista.scheduler")


class SchedulerEngine:
    """The scheduler's front door: the store's reads and writes, decisions, and the pass."""

    def __init__(
        self,
        new_session: Callable[[], Session],
        registry: RegistryService,
        gateway: ClusterGateway | None,
        *,
        live: Any | None = None,
        clock: Callable[[], datetime] = utcnow,
        dry_run: bool = False,
        default_tz: str = "UTC",
        grace: timedelta = timedelta(minutes=15),
    ):
        self.new_session = new_session
        self.registry = registry
        self.gateway = gateway
        self.live = live
        self.clock = clock
        self.dry_run = dry_run
        self.default_tz = default_tz
        self.grace = grace
        self.store = ScheduleStore(new_session, clock, default_tz)
        self.transitions = Transitions(self.store, gateway, dry_run=dry_run)
        self.may_act: Callable[[], bool] = lambda: True  # the leadership's own deadline check
        self.batch = Batch(self.transitions, lambda: self.may_act())
        self._records: tuple[tuple[int, int], list[ModelRecord]] | None = None
        # told which models' schedule state changed (a policy, an override, a transition):
        # the app hands it to the page's change hub so the Schedule column follows live
        self.on_change: Callable[[set[Key]], None] = lambda keys: None
        self.load_memory()

    # ------------------------------------------------------------------ the store

    def load_memory(self) -> None:
        self.store.load_memory()

    def memory(self, key: Key) -> Memory:
        return self.store.memory(key)

    def sync_memory(self) -> int:
        """Take the remembered state from the Deployments' annotations where the database
        disagrees (a crash between a cluster write and the database write after it); returns
        how many changed. Reads the cluster fresh; call it at start, before the reconciler
        applies records (it asks :meth:`is_held_down`)."""
        if self.gateway is None or self.dry_run:
            return 0
        self.load_memory()
        keys = [r.key for r in self.registry.list_models()]
        return self.transitions.adopt(live_snapshot(keys, None, self.gateway))

    def is_held_down(self, key: Key) -> bool:
        return self.store.memory(key).state == "down"

    def policies(self) -> Policies:
        return self.store.policies()

    def set_policy(
        self,
        scope: str,
        team: str,
        *,
        uptime: str | None,
        downtime: str | None,
        timezone: str | None,
        holidays: tuple[str, str | None] | None,
        actor: Actor,
    ) -> None:
        """The global schedule needs an admin; a team's, an editor of the team."""
        if scope == "global":
            authorize(actor, roles.SCHEDULES_GLOBAL)
        else:
            authorize(actor, roles.SCHEDULES_TEAM, team)
        self.store.set_policy(
            scope,
            team,
            uptime=uptime,
            downtime=downtime,
            timezone=timezone,
            holidays=holidays,
            actor=actor.name,
        )
        team_filter = team if scope == "team" else None
        self.on_change({r.key for r in self.registry.list_models(team=team_filter)})

    def set_override(
        self,
        key: Key,
        state: str,
        until: datetime,
        *,
        actor: Actor,
        reason: str,
        implicit: bool = False,
    ) -> None:
        """Keep a model up or down until ``until`` (an editor of its team)."""
        authorize(actor, roles.OVERRIDES, self.team_of(key))
        self.store.set_override(
            key, state, until, actor=actor.name, reason=reason, implicit=implicit
        )
        self.on_change({key})

    def clear_override(self, key: Key, actor: Actor) -> int:
        """Hand a model back to its schedule (an editor of its team)."""
        authorize(actor, roles.OVERRIDES, self.team_of(key))
        cleared = self.store.clear_override(key, actor.name)
        self.on_change({key})
        return cleared

    def team_of(self, key: Key) -> str | None:
        """The team of a stored model (None when there is no such model)."""
        try:
            rec = self.registry.find(key[1], key[0])
        except Unreadable as exc:
            return exc.record.team
        return rec.spec.team if rec is not None else None

    def active_overrides(self, now: datetime) -> dict[Key, Override]:
        return self.store.active_overrides(now)

    def actions(self, limit: int = 200) -> list[SchedulerAction]:
        return self.store.actions(limit)

    # ------------------------------------------------------------------ deciding

    def records(self) -> list[ModelRecord]:
        """Enabled records, re-read only when the registry changed (cheap check)."""
        stamp = self.registry.fleet_stamp()
        cached = self._records
        if cached is None or cached[0] != stamp:
            cached = (stamp, self.registry.list_models(enabled=True))
            self._records = cached
        return cached[1]

    def decide_for(
        self,
        record: ModelRecord,
        at: datetime,
        *,
        policies: Policies | None = None,
        overrides: dict[Key, Override] | None = None,
        need_until: bool = True,
    ) -> Decision:
        return decide_record(
            record,
            at,
            self.policies() if policies is None else policies,
            self.active_overrides(at) if overrides is None else overrides,
            default_tz=self.default_tz,
            grace=self.grace,
            need_until=need_until,
        )

    def explain_for(self, record: ModelRecord, at: datetime) -> str:
        return explain(self.decide_for(record, at), record_timezone(record, self.default_tz), at)

    def next_change(self, now: datetime) -> tuple[datetime, set[Key]] | None:
        """The earliest instant any model's decision may change, and which models change then."""
        policies, overrides = self.policies(), self.active_overrides(now)
        best: datetime | None = None
        keys: set[Key] = set()
        for record in self.records():
            try:
                d = self.decide_for(record, now, policies=policies, overrides=overrides)
            except ScheduleError:
                continue
            if d.until is None:
                continue
            if best is None or d.until < best:
                best, keys = d.until, {record.key}
            elif d.until == best:
                keys.add(record.key)
        return (best, keys) if best is not None else None

    # ------------------------------------------------------------------ the pass

    def reconcile(
        self,
        now: datetime | None = None,
        *,
        reason: str | None = None,
        keys: set[Key] | None = None,
    ) -> list[SchedulerAction]:
        """Bring every model (or ``keys``) to its decided state; returns the actions taken."""
        return self.execute(self.prepare(now or self.clock(), reason=reason, keys=keys))

    def prepare(
        self, at: datetime, *, reason: str | None = None, keys: set[Key] | None = None
    ) -> Plan:
        """Decide for every model (or ``keys``) at ``at`` and plan the writes, without writing:
        made shortly before a boundary, so that at the boundary only the writes remain."""
        stamp = self.intent_stamp()  # before the reads: an edit during them is seen as one
        self.load_memory()  # another process may have acted since (leadership can move)
        stamp = (*stamp[:-1], self.store.generation)  # our own reload is not an edit
        policies, overrides = self.policies(), self.active_overrides(at)
        records = [r for r in self.records() if keys is None or r.key in keys]
        snapshot = live_snapshot((r.key for r in records), self.live, self.gateway)
        errors: list[Outcome] = []
        due: list[Due] = []
        for record in records:
            try:
                decision = self.decide_for(
                    record, at, policies=policies, overrides=overrides, need_until=False
                )
            except ScheduleError as exc:
                entry = Entry("error", "schedule", str(exc), None, None, ok=False)
                errors.append(Outcome(record.key, entry=entry))
                continue
            if self.transitions.wanted(record, decision, snapshot):
                due.append((record, decision))
        moves: list[Move] = []
        if self.dry_run:
            slow = due
        else:
            moves, slow = plan_moves(due, self.store.memory, snapshot)

        # ``until`` (skipped above) is needed where it is written down: a manual scale's
        # override, and the models acted on one by one
        def full(record: ModelRecord) -> Decision:
            return self.decide_for(record, at, policies=policies, overrides=overrides)

        moves = [
            replace(m, decision=full(m.record)) if m.step == "keep-manual" else m for m in moves
        ]
        slow = [(r, full(r)) for r, _ in slow]
        if self.transitions.writer is not None and moves:
            self.transitions.writer.warm(len(moves))  # connect before the boundary
        return Plan(at, reason, keys, stamp, snapshot, moves, slow, errors)

    def intent_stamp(self) -> tuple:
        """Changes with any record, policy, override or remembered state (cheap to read); the
        last item counts the changes of this process's copy of the remembered states."""
        return (self.registry.fleet_stamp(), self.store.stamp(), self.store.generation)

    def execute(self, plan: Plan, *, check: bool = False) -> list[SchedulerAction]:
        """Carry out ``plan``. With ``check`` (a plan made ahead of its boundary) it is first
        compared with the intent now: after any edit since it was made, it is made again."""
        if check and self.intent_stamp() != plan.stamp:
            log.info("scheduler: intent changed since the plan was made; deciding again")
            plan = self.prepare(plan.at, reason=plan.reason, keys=plan.keys)
        actions = self.batch.run(
            plan.moves, plan.slow, plan.snapshot, plan.at, plan.reason, logged=plan.errors
        )
        if actions:
            counts = Counter(a.action for a in actions)
            log.info(
                "scheduler: %s", ", ".join(f"{n} {what}" for what, n in sorted(counts.items()))
            )
            self.on_change({(a.namespace, a.name) for a in actions})
        return actions


@dataclass(frozen=True)
class Plan:
    """A pass decided at ``at``: the writes to make and what they were decided from."""

    at: datetime
    reason: str | None
    keys: set[Key] | None
    stamp: tuple
    snapshot: LiveSnapshot
    moves: list[Move]
    slow: list[Due]
    errors: list[Outcome]


def up_fraction(engine: SchedulerEngine, spec: Any, at: datetime) -> float:
    """Share of a week the model's schedule keeps it up (model, else team, else global)."""
    return week_up_fraction(spec, engine.policies(), at, engine.default_tz)

"""What the scheduler keeps in the database: team and global policies, overrides, the remembered
state of each model (with an in-process copy) and the log of actions taken."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import func, tuple_
from sqlmodel import Session, col, select

from barista_ui.access.actor import SYSTEM_SCHEDULER
from barista_ui.records.spec import check_team_name
from barista_ui.schedule.decide import Override, validate_override
from barista_ui.schedule.language import ScheduleError, State, holiday_name, parse_schedule, zone
from data.db import transaction
from data.ops_tables import ScheduleMemory, ScheduleOverride, SchedulePolicy, SchedulerAction

log = logging.getLogger("barista.scheduler")
Key = tuple[str, str]
Policies = dict[tuple[str, str], SchedulePolicy]


@dataclass(frozen=True)
class Memory:
    """The state the scheduler last enforced on a model and the count to restore."""

    state: str
    original: int | None


UP = Memory("up", None)
CHUNK = 400  # keys per IN (...) query: two parameters each


@dataclass(frozen=True)
class Entry:
    """One line of the action log (actor ``system:scheduler``)."""

    action: str  # scale-down scale-up keep-manual recover error
    reason: str  # schedule holiday override manual catch-up restart
    detail: str
    before: int | None
    after: int | None
    ok: bool = True
    dry_run: bool = False


@dataclass(frozen=True)
class Outcome:
    """What one step of one model's transition leaves in the database."""

    key: Key
    memory: Memory | None = None
    rule: str = ""
    entry: Entry | None = None
    override: Override | None = None


class ScheduleStore:
    """The database side of the scheduler. ``clock`` stamps rows; nothing here calls the cluster."""

    def __init__(
        self,
        new_session: Callable[[], Session],
        clock: Callable[[], datetime],
        default_tz: str = "UTC",
    ):
        self.new_session = new_session
        self.clock = clock
        self.default_tz = default_tz
        self._memory: dict[Key, Memory] = {}
        self._lock = threading.Lock()
        self.generation = 0  # bumped whenever the in-process copy of the memory changes

    # ------------------------------------------------------------------ remembered state

    def load_memory(self) -> None:
        """Re-read the remembered states (another process may have acted since)."""
        # Read under the lock: a ``remember`` that commits meanwhile updates the copy after
        # this replacement, so a reload never brings back a state older than the database's.
        with self._lock, self.new_session() as s:
            rows = s.exec(select(ScheduleMemory)).all()
            loaded = {(r.namespace, r.name): Memory(r.state, r.original_replicas) for r in rows}
            if loaded != self._memory:
                self._memory = loaded
                self.generation += 1

    def memory(self, key: Key) -> Memory:
        # no lock: the dict is only ever mutated or replaced whole under the lock, and a read
        # must not wait for a reload (the page asks this)
        return self._memory.get(key, UP)

    def remember(self, key: Key, memory: Memory, rule: str) -> None:
        """Persist ``memory`` for ``key``, then update the in-process copy."""
        self.record(key, memory=memory, rule=rule)

    def record(
        self,
        key: Key,
        *,
        memory: Memory | None = None,
        rule: str = "",
        entry: Entry | None = None,
        override: Override | None = None,
    ) -> SchedulerAction | None:
        """Write what one step of a transition leaves in the database in ONE transaction: the
        remembered state (a cache of the Deployment's annotation), a line of the action log,
        an implicit override. Returns the logged action, if any."""
        return self.record_many([Outcome(key, memory, rule, entry, override)])[0]

    def record_many(self, outcomes: Sequence[Outcome]) -> list[SchedulerAction | None]:
        """Write the outcomes of a whole batch in ONE transaction (one commit, whatever the
        batch's size); returns each outcome's logged action, if any. The in-process copy of
        the memory changes only once the transaction has committed."""
        if not outcomes:
            return []
        now = self.clock()
        rows = [None if o.entry is None else _action_row(o.key, o.entry, now) for o in outcomes]
        memories = {o.key: o for o in outcomes if o.memory is not None}
        with transaction(self.new_session) as s:
            if memories:
                _put_memories(s, memories, now)
            s.add_all(_override_row(o.key, o.override, now) for o in outcomes if o.override)
            s.add_all(r for r in rows if r is not None)
        if memories:
            with self._lock:
                for key, o in memories.items():
                    self._memory[key] = o.memory  # type: ignore[assignment]
                self.generation += 1
        if log.isEnabledFor(logging.DEBUG):
            for o in outcomes:
                if o.entry is not None:
                    e = o.entry
                    log.debug(
                        "%s %s/%s %s->%s (%s) %s",
                        e.action,
                        *o.key,
                        e.before,
                        e.after,
                        e.reason,
                        e.detail,
                    )
        return rows

    def stamp(self) -> tuple:
        """Changes whenever the remembered states, the overrides or the policies change in
        the database: a plan made before an unchanged stamp still holds."""
        with self.new_session() as s:
            memory = s.exec(
                select(
                    func.count(), func.max(ScheduleMemory.id), func.max(ScheduleMemory.updated_at)
                )
            ).one()
            overrides = s.exec(
                select(
                    func.count(),
                    func.max(ScheduleOverride.id),
                    func.count(col(ScheduleOverride.cleared_at)),
                )
            ).one()
            policies = s.exec(
                select(SchedulePolicy.scope, SchedulePolicy.team, SchedulePolicy.version)
            ).all()
        return (tuple(memory), tuple(overrides), tuple(sorted(policies)))

    # ------------------------------------------------------------------ policies

    def policies(self) -> Policies:
        with self.new_session() as s:
            return {(p.scope, p.team): p for p in s.exec(select(SchedulePolicy)).all()}

    def set_policy(
        self,
        scope: str,
        team: str,
        *,
        uptime: str | None,
        downtime: str | None,
        timezone: str | None,
        holidays: tuple[str, str | None] | None,
        actor: str,
    ) -> None:
        """Validate, then save the global (``team`` = "") or a team's schedule."""
        if scope not in ("global", "team"):
            raise ScheduleError("scope must be 'global' or 'team'")
        if scope == "team":
            check_team_name(team, "team")
        tz = timezone or self.default_tz
        zone(tz)  # a policy of 'always' names no zone in its spec: check the one it is given
        parse_schedule(uptime, downtime, tz)  # validates
        if holidays:
            holiday_name(self.clock(), holidays[0], holidays[1], tz)
        with transaction(self.new_session) as s:
            row = s.exec(
                select(SchedulePolicy).where(
                    SchedulePolicy.scope == scope, SchedulePolicy.team == team
                )
            ).first()
            if row is None:
                row = SchedulePolicy(scope=scope, team=team)
            else:
                row.version += 1
            row.uptime, row.downtime, row.timezone = uptime, downtime, timezone
            row.holiday_country = holidays[0] if holidays else None
            row.holiday_subdiv = holidays[1] if holidays else None
            row.updated_by, row.updated_at = actor, self.clock()
            s.add(row)

    # ------------------------------------------------------------------ overrides

    def set_override(
        self,
        key: Key,
        state: str,
        until: datetime,
        *,
        actor: str,
        reason: str,
        implicit: bool = False,
    ) -> None:
        if not implicit:
            validate_override(state, until, self.clock())
        self.record(key, override=Override(cast(State, state), until, actor, reason, implicit))

    def clear_override(self, key: Key, actor: str) -> int:
        """End the model's active overrides now; returns how many were active."""
        now = self.clock()
        with transaction(self.new_session) as s:
            rows = s.exec(
                select(ScheduleOverride).where(
                    ScheduleOverride.namespace == key[0],
                    ScheduleOverride.name == key[1],
                    ScheduleOverride.cleared_at.is_(None),  # type: ignore[union-attr]
                    ScheduleOverride.until > now,
                )
            ).all()
            for r in rows:
                r.cleared_at = now
                s.add(r)
            return len(rows)

    def active_overrides(self, now: datetime) -> dict[Key, Override]:
        """The override in force per model at ``now`` (the newest wins)."""
        with self.new_session() as s:
            rows = s.exec(
                select(ScheduleOverride)
                .where(
                    col(ScheduleOverride.cleared_at).is_(None), col(ScheduleOverride.until) > now
                )
                .order_by(col(ScheduleOverride.created_at))
            ).all()
        return {
            (r.namespace, r.name): Override(
                cast(State, r.state), r.until, r.actor, r.reason, r.kind == "implicit"
            )
            for r in rows
        }

    # ------------------------------------------------------------------ the action log

    def log_action(
        self,
        key: Key,
        action: str,
        reason: str,
        detail: str,
        before: int | None,
        after: int | None,
        *,
        ok: bool = True,
        dry_run: bool = False,
    ) -> SchedulerAction:
        entry = Entry(action, reason, detail, before, after, ok=ok, dry_run=dry_run)
        row = self.record(key, entry=entry)
        assert row is not None
        return row

    def actions(self, limit: int = 200) -> list[SchedulerAction]:
        """The newest ``limit`` actions, newest first."""
        with self.new_session() as s:
            return list(
                s.exec(
                    select(SchedulerAction).order_by(SchedulerAction.id.desc()).limit(limit)  # type: ignore[union-attr]
                ).all()
            )


def _put_memories(s: Session, outcomes: dict[Key, Outcome], now: datetime) -> None:
    """Upsert the remembered states of a batch: one read of the rows that exist (in chunks,
    under the databases' parameter limits), then one flush of updates and inserts."""
    keys = list(outcomes)
    existing: dict[Key, ScheduleMemory] = {}
    for i in range(0, len(keys), CHUNK):
        chunk = keys[i : i + CHUNK]
        pairs = tuple_(col(ScheduleMemory.namespace), col(ScheduleMemory.name))
        for row in s.exec(select(ScheduleMemory).where(pairs.in_(chunk))).all():
            existing[(row.namespace, row.name)] = row
    for key, o in outcomes.items():
        memory = o.memory
        assert memory is not None
        row = existing.get(key) or ScheduleMemory(namespace=key[0], name=key[1])
        row.state, row.original_replicas = memory.state, memory.original
        row.rule, row.updated_at = o.rule, now
        if memory.state == "down":
            row.scaled_down_at = now
        s.add(row)


def _override_row(key: Key, override: Override, now: datetime) -> ScheduleOverride:
    return ScheduleOverride(
        namespace=key[0],
        name=key[1],
        state=override.state,
        until=override.until,
        kind="implicit" if override.implicit else "manual",
        actor=override.actor,
        reason=override.reason,
        created_at=now,
    )


def _action_row(key: Key, entry: Entry, now: datetime) -> SchedulerAction:
    return SchedulerAction(
        at=now,
        namespace=key[0],
        name=key[1],
        action=entry.action,
        reason=entry.reason,
        detail=entry.detail[:2000],
        before=entry.before,
        after=entry.after,
        actor=SYSTEM_SCHEDULER.name,
        dry_run=entry.dry_run,
        ok=entry.ok,
        error="" if entry.ok else entry.detail,
    )

"""The off-hours scheduler: decides per model, scales the cluster, remembers, logs.

Scale-down remembers the running count durably, in the database and as the Deployment
annotation ``barista.io/original-replicas``, written in the same single merge-patch that sets
the replicas, with a resourceVersion precondition. Scale-up restores that count. Writes happen
only when the state must change. A manual scale-up during downtime is respected until the next
scheduled transition (an implicit override) and never overwrites the remembered count.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from barista_ui.records.registry import ModelRecord, RegistryService
from barista_ui.records.replicas import desired_replicas, downtime_replicas
from barista_ui.schedule.decide import Decision, Layer, Override, decide, explain
from barista_ui.schedule.language import ScheduleError, next_transitions, parse_schedule
from data.db import transaction
from data.ops_tables import ScheduleMemory, ScheduleOverride, SchedulePolicy, SchedulerAction
from data.types import utcnow
from k8s.gateway import ClusterGateway, ConflictError, GatewayError
from k8s.manifests import ORIGINAL_REPLICAS

log = logging.getLogger("barista.scheduler")
Key = tuple[str, str]
REASON_OF_RULE = {
    "holiday": "holiday",
    "override": "override",
    "model": "schedule",
    "team": "schedule",
    "global": "schedule",
}


@dataclass(frozen=True)
class Memory:
    state: str
    original: int | None


class SchedulerEngine:
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
        self._memory: dict[Key, Memory] = {}
        self._records: tuple[tuple[int, int], list[ModelRecord]] | None = None
        self._index: dict[Key, tuple[int, str, dict]] = {}
        self._dry: dict[Key, str] = {}
        self._lock = threading.Lock()
        self.load_memory()

    # ------------------------------------------------------------------ memory

    def load_memory(self) -> None:
        with self.new_session() as s:
            rows = s.exec(select(ScheduleMemory)).all()
        with self._lock:
            self._memory = {
                (r.namespace, r.name): Memory(r.state, r.original_replicas) for r in rows
            }

    def memory(self, key: Key) -> Memory:
        return self._memory.get(key, Memory("up", None))

    def is_held_down(self, key: Key) -> bool:
        return self.memory(key).state == "down"

    def _remember(self, s: Session, key: Key, state: str, original: int | None, rule: str) -> None:
        row = s.exec(
            select(ScheduleMemory).where(
                ScheduleMemory.namespace == key[0], ScheduleMemory.name == key[1]
            )
        ).first()
        now = self.clock()
        if row is None:
            row = ScheduleMemory(namespace=key[0], name=key[1])
        row.state, row.original_replicas, row.rule, row.updated_at = state, original, rule, now
        if state == "down":
            row.scaled_down_at = now
        s.add(row)

    # ------------------------------------------------------------------ policies and overrides

    def policies(self) -> dict[tuple[str, str], SchedulePolicy]:
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
        if scope not in ("global", "team"):
            raise ScheduleError("scope must be 'global' or 'team'")
        parse_schedule(uptime, downtime, timezone or self.default_tz)  # validates
        if holidays:
            from barista_ui.schedule.language import holiday_name

            holiday_name(self.clock(), holidays[0], holidays[1], timezone or self.default_tz)
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
        from barista_ui.schedule.decide import validate_override

        if not implicit:
            validate_override(state, until, self.clock())
        with transaction(self.new_session) as s:
            s.add(
                ScheduleOverride(
                    namespace=key[0],
                    name=key[1],
                    state=state,
                    until=until,
                    kind="implicit" if implicit else "manual",
                    actor=actor,
                    reason=reason,
                    created_at=self.clock(),
                )
            )

    def clear_override(self, key: Key, actor: str) -> int:
        now = self.clock()
        with transaction(self.new_session) as s:
            rows = s.exec(
                select(ScheduleOverride).where(
                    ScheduleOverride.namespace == key[0],
                    ScheduleOverride.name == key[1],
                    ScheduleOverride.cleared_at.is_(None),
                    ScheduleOverride.until > now,
                )
            ).all()  # type: ignore[union-attr]
            for r in rows:
                r.cleared_at = now
                s.add(r)
            return len(rows)

    def active_overrides(self, now: datetime) -> dict[Key, Override]:
        with self.new_session() as s:
            rows = s.exec(
                select(ScheduleOverride)
                .where(ScheduleOverride.cleared_at.is_(None), ScheduleOverride.until > now)  # type: ignore[union-attr]
                .order_by(ScheduleOverride.created_at)
            ).all()
        return {
            (r.namespace, r.name): Override(
                r.state, r.until, r.actor, r.reason, r.kind == "implicit"
            )
            for r in rows
        }

    # ------------------------------------------------------------------ deciding

    def _layer(
        self,
        uptime: str | None,
        downtime: str | None,
        tz: str | None,
        country: str | None,
        subdiv: str | None,
        text: str = "",
    ) -> Layer | None:
        tz = tz or self.default_tz
        if not (uptime or downtime or country):
            return None
        sched = parse_schedule(uptime, downtime, tz) if (uptime or downtime) else None
        return Layer(sched, (country, subdiv) if country else None, tz, text)

    def records(self) -> list[ModelRecord]:
        """Enabled records, re-read only when the registry changed (cheap check)."""
        stamp = self.registry.fleet_stamp()
        if self._records is None or self._records[0] != stamp:
            self._records = (stamp, self.registry.list_models(enabled=True))
        return self._records[1]

    def decide_for(
        self,
        record: ModelRecord,
        at: datetime,
        *,
        policies=None,
        overrides=None,
        need_until: bool = True,
    ) -> Decision:
        policies = self.policies() if policies is None else policies
        overrides = self.active_overrides(at) if overrides is None else overrides
        sc = record.spec.schedule
        model = (
            self._layer(
                sc.uptime,
                sc.downtime,
                sc.timezone,
                sc.holidays.country if sc and sc.holidays else None,
                sc.holidays.subdiv if sc and sc.holidays else None,
            )
            if sc
            else None
        )
        team_p, glob_p = policies.get(("team", record.spec.team)), policies.get(("global", ""))
        team = (
            self._layer(
                team_p.uptime,
                team_p.downtime,
                team_p.timezone,
                team_p.holiday_country,
                team_p.holiday_subdiv,
            )
            if team_p
            else None
        )
        glob = (
            self._layer(
                glob_p.uptime,
                glob_p.downtime,
                glob_p.timezone,
                glob_p.holiday_country,
                glob_p.holiday_subdiv,
            )
            if glob_p
            else None
        )
        return decide(
            at,
            model=model,
            team=team,
            global_=glob,
            override=overrides.get(record.key),
            excluded=bool(sc and sc.exclude),
            created_at=record.created_at,
            grace=self.grace,
            need_until=need_until,
        )

    def explain_for(self, record: ModelRecord, at: datetime) -> str:
        sc = record.spec.schedule
        tz = (sc.timezone if sc and sc.timezone else None) or self.default_tz
        return explain(self.decide_for(record, at), tz, at)

    # ------------------------------------------------------------------ acting

    def reconcile(
        self,
        now: datetime | None = None,
        *,
        reason: str | None = None,
        keys: set[Key] | None = None,
    ) -> list[SchedulerAction]:
        """Bring every model (or ``keys``) to its decided state; returns the actions taken."""
        now = now or self.clock()
        self.load_memory()  # another process may have acted since (leadership can move)
        policies, overrides = self.policies(), self.active_overrides(now)
        records = [r for r in self.records() if keys is None or r.key in keys]
        self._index = self._live_index(records)
        due = []
        actions: list[SchedulerAction] = []
        for record in records:
            try:
                decision = self.decide_for(
                    record, now, policies=policies, overrides=overrides, need_until=False
                )
            except ScheduleError as exc:
                actions.append(
                    self._log(record.key, "error", "schedule", str(exc), None, None, ok=False)
                )
                continue
            if self._needs_action(record, decision):
                due.append((record, decision))
        if not due:
            return actions
        with ThreadPoolExecutor(max_workers=16) as pool:
            done = pool.map(
                lambda rd: self._act(
                    rd[0], self._with_until(rd[0], rd[1], now, policies, overrides), now, reason
                ),
                due,
            )
            actions.extend(a for a in done if a is not None)
        return actions

    def _with_until(self, record, decision, now, policies, overrides) -> Decision:
        return self.decide_for(record, now, policies=policies, overrides=overrides)

    def _live_index(self, records: list[ModelRecord]) -> dict[Key, tuple[int, str, dict]]:
        """Replicas, resourceVersion and annotations of the managed Deployments, in one go."""
        index: dict[Key, tuple[int, str, dict]] = {}
        if self.live is not None and getattr(self.live, "synced", False):
            for key, m in self.live.all().items():
                if m.deployment_exists and m.resource_version:
                    index[key] = (m.desired, m.resource_version, dict(m.annotations))
            return index
        if self.gateway is None:
            return index
        wanted = {r.key for r in records}
        for dep in self.gateway.list_managed():
            meta = dep["metadata"]
            key = (meta["namespace"], (meta.get("labels") or {}).get("model") or meta["name"])
            if key in wanted:
                index[key] = (
                    dep["spec"].get("replicas", 0),
                    meta["resourceVersion"],
                    meta.get("annotations") or {},
                )
        return index

    def _needs_action(self, record: ModelRecord, decision: Decision) -> bool:
        """Cheap pre-check so an idle pass makes no request at all."""
        live = self._index.get(record.key)
        if live is None:
            return False
        if self.dry_run:
            return self._dry.get(record.key, "up") != decision.state
        replicas, _, annotations = live
        memory = self.memory(record.key)
        target = downtime_replicas(record.spec)
        if memory.state == "up" and ORIGINAL_REPLICAS in annotations and replicas == target:
            return True  # recover from the annotation
        if decision.state == "down":
            return memory.state == "up" or replicas > target
        return memory.state == "down"

    def _live(self, key: Key, fresh: bool = False) -> tuple[int, str, dict] | None:
        if not fresh and key in self._index:
            return self._index.pop(key)
        if self.gateway is None:
            return None
        dep = self.gateway.get_deployment(*key)
        if dep is None:
            return None
        return (
            dep["spec"].get("replicas", 0),
            dep["metadata"]["resourceVersion"],
            dep["metadata"].get("annotations") or {},
        )

    def _act(
        self, record: ModelRecord, decision: Decision, now: datetime, reason: str | None
    ) -> SchedulerAction | None:
        key = record.key
        why = reason or REASON_OF_RULE.get(decision.rule, "schedule")
        memory = self.memory(key)
        if self.dry_run:
            return self._dry_run(record, decision, why)
        for attempt in range(3):
            live = self._live(key, fresh=attempt > 0)
            if live is None:
                return None
            replicas, rv, annotations = live
            target = downtime_replicas(record.spec)
            if memory.state == "up" and ORIGINAL_REPLICAS in annotations and replicas == target:
                # restarted with an empty memory table: the annotation still knows
                memory = Memory("down", int(annotations[ORIGINAL_REPLICAS]))
                self._store(key, memory, decision.rule)
            try:
                if decision.state == "down" and memory.state == "up":
                    if replicas <= target:
                        self._store(key, Memory("down", replicas), decision.rule)
                        return None
                    self.gateway.patch_replicas_and_annotations(
                        key[0], key[1], target, {ORIGINAL_REPLICAS: str(replicas)}, rv
                    )
                    self._store(key, Memory("down", replicas), decision.rule)
                    return self._log(key, "scale-down", why, decision.detail, replicas, target)
                if decision.state == "down" and memory.state == "down" and replicas > target:
                    # Scaled up by hand during downtime: respected until the next scheduled
                    # transition. The remembered count is dropped, never replaced by 0.
                    until = self._next_scheduled(record, now, decision)
                    self.set_override(
                        key,
                        "up",
                        until,
                        actor="scheduler",
                        implicit=True,
                        reason=f"manual scale to {replicas} during downtime",
                    )
                    self.gateway.annotate_deployment(key[0], key[1], {ORIGINAL_REPLICAS: None})
                    self._store(key, Memory("up", None), "manual")
                    return self._log(
                        key,
                        "keep-manual",
                        "manual",
                        f"scaled to {replicas} by hand during downtime; kept until "
                        f"{until:%Y-%m-%d %H:%M} UTC",
                        replicas,
                        replicas,
                    )
                if decision.state == "up" and memory.state == "down":
                    if replicas > target:  # already brought back by hand
                        self._store(key, Memory("up", None), decision.rule)
                        self.gateway.annotate_deployment(key[0], key[1], {ORIGINAL_REPLICAS: None})
                        return self._log(
                            key,
                            "keep-manual",
                            "manual",
                            f"already running; remembered count {memory.original} not needed",
                            replicas,
                            replicas,
                        )
                    restore = desired_replicas(record.spec, restore=memory.original)
                    self.gateway.patch_replicas_and_annotations(
                        key[0], key[1], restore, {ORIGINAL_REPLICAS: None}, rv
                    )
                    self._store(key, Memory("up", None), decision.rule)
                    return self._log(key, "scale-up", why, decision.detail, replicas, restore)
                return None
            except ConflictError:
                continue  # changed between read and write: read again and decide again
            except GatewayError as exc:
                return self._log(key, "error", why, str(exc), replicas, None, ok=False)
        return self._log(
            key, "error", why, "the Deployment kept changing; will retry", None, None, ok=False
        )

    def _dry_run(self, record: ModelRecord, decision: Decision, why: str) -> SchedulerAction | None:
        key = record.key
        if self._dry.get(key, "up") == decision.state:
            return None
        self._dry[key] = decision.state
        live = self._live(key)
        replicas = live[0] if live else None
        after = downtime_replicas(record.spec) if decision.state == "down" else replicas
        action = "scale-down" if decision.state == "down" else "scale-up"
        return self._log(
            key, action, why, f"dry run: {decision.detail}", replicas, after, dry_run=True
        )

    def _next_scheduled(self, record: ModelRecord, now: datetime, decision: Decision) -> datetime:
        if decision.until is not None:
            return decision.until
        return now + timedelta(days=1)

    def _store(self, key: Key, memory: Memory, rule: str) -> None:
        with transaction(self.new_session) as s:
            self._remember(s, key, memory.state, memory.original, rule)
        with self._lock:
            self._memory[key] = memory

    def _log(
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
        row = SchedulerAction(
            at=self.clock(),
            namespace=key[0],
            name=key[1],
            action=action,
            reason=reason,
            detail=detail[:2000],
            before=before,
            after=after,
            actor="scheduler",
            dry_run=dry_run,
            ok=ok,
            error="" if ok else detail,
        )
        with transaction(self.new_session) as s:
            s.add(row)
        log.info("%s %s/%s %s->%s (%s) %s", action, key[0], key[1], before, after, reason, detail)
        return row

    def actions(self, limit: int = 200) -> list[SchedulerAction]:
        with self.new_session() as s:
            return list(
                s.exec(
                    select(SchedulerAction).order_by(SchedulerAction.id.desc()).limit(limit)
                ).all()
            )  # type: ignore[union-attr]

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


def transitions_text(
    uptime: str | None, downtime: str | None, tz: str, now: datetime, n: int = 5
) -> list[str]:
    sched = parse_schedule(uptime, downtime, tz)
    return [f"{i:%Y-%m-%d %H:%M} UTC → {s}" for i, s in next_transitions(sched, now, n)]


def up_fraction(engine: SchedulerEngine, spec: Any, at: datetime) -> float:
    """Share of a week the model's schedule keeps it up (model, else team, else global)."""
    from barista_ui.schedule.language import up_hours_per_week

    sc = spec.schedule
    policies = engine.policies()
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
    sched = parse_schedule(up, down, tz or engine.default_tz)
    monday = (at - timedelta(days=at.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    return up_hours_per_week(sched, monday) / 168

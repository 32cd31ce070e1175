"""The fleet as the Models and Cluster tabs show it and act on it: each record with its schedule
state and its live status (from the one status-row builder), and the one-click actions (switch,
scale, keep up, re-apply). The page's views receive this one typed service.

Composes the capability packages (records, schedule, cluster, cost) without adding rules of its
own: the replica rule, the status rows and the schedule decisions each keep their single home.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cached_property
from time import monotonic
from typing import Any

from barista_ui.access.actor import Actor
from barista_ui.activity import ActivityFeed
from barista_ui.cluster.connection import ClusterConnection
from barista_ui.cluster.hub import ChangeHub
from barista_ui.cluster.objects import ClusterObjects
from barista_ui.cluster.reconciler import Reconciler, ReconcileResult
from barista_ui.cluster.status import FleetStatus, StatusRow
from barista_ui.cost.board import CostBoard
from barista_ui.fleet_counts import StatusTally
from barista_ui.records.listing import RecordIndex
from barista_ui.records.registry import ModelRecord, RegistryError
from barista_ui.records.service import ModelService, Saved
from barista_ui.records.spec import ModelSpec
from barista_ui.schedule.decide import explain
from barista_ui.schedule.engine import SchedulerEngine
from barista_ui.schedule.language import wall_to_instant, zone
from barista_ui.settings import Settings
from k8s.live import LiveState, ModelLive

Key = tuple[str, str]
KEEP_CHOICES = ("up1", "up3", "tomorrow", "down", "clear")
BUDGET_CHECK_S = 300.0  # how long the Models tab trusts its read of the teams over budget


@dataclass(frozen=True)
class FleetRow:
    record: ModelRecord
    schedule: str  # "up until 20:00 CET", "down until Mon 07:00", "always up", ...
    status: StatusRow | None  # None when no cluster is connected


@dataclass(frozen=True)
class ReplicaChange:
    saved: Saved
    runs: int  # replicas the cluster is now asked for (the replica rule's answer)


class Fleet:
    def __init__(
        self,
        models: ModelService,
        scheduler: SchedulerEngine,
        cost: CostBoard,
        *,
        cluster: ClusterConnection,
        reconciler: Reconciler | None,
        live: LiveState | None,
        hub: ChangeHub,
        status: Callable[[], FleetStatus],
        settings: Settings,
    ):
        self.models = models
        self.scheduler = scheduler
        self.cost = cost  # the model panel's and editor's cost lines
        self.cluster = cluster
        self.reconciler = reconciler
        self.live = live
        self.hub = hub
        self._status = status
        self.settings = settings
        # (read at, the budgets then, team -> sentence): the teams over budget, cached
        self._alerts: tuple[float, dict[str, float], dict[str, str]] | None = None
        # rollout history, logs, adopt/delete of unmanaged objects (None without a cluster)
        self.objects = (
            ClusterObjects(models, cluster.gateway) if cluster.gateway is not None else None
        )

    # ------------------------------------------------------------------ reading

    @property
    def connected(self) -> bool:
        return self.reconciler is not None

    @cached_property
    def activity(self) -> ActivityFeed:
        """Fleet-wide history (the Activity tab, the Deleted view), on the same database."""
        return ActivityFeed(self.scheduler.new_session)

    @cached_property
    def index(self) -> RecordIndex:
        """Every record in memory (the Models table's pages: filter, search, sort)."""
        return RecordIndex(self.models.registry)

    @cached_property
    def tally(self) -> StatusTally | None:
        """Every record's sync status and health, kept from the live pushes (None: no cluster)."""
        if not self.connected:
            return None
        tally = StatusTally(self.index, self._status, self.hub)
        self.index.on_change = tally.want  # a record changed: its status may have too
        return tally

    @property
    def max_replicas(self) -> int:
        return self.models.registry.max_replicas

    def validate(self, data: dict[str, Any]) -> ModelSpec:
        """The registry's validation with this deployment's bounds (replicas, CPU, memory, GPUs),
        so the page refuses exactly what the CLI refuses."""
        return self.models.registry.validate(data)

    def rows(
        self,
        *,
        team: str | None = None,
        namespace: str | None = None,
        enabled: bool | None = None,
        now: datetime | None = None,
    ) -> list[FleetRow]:
        records = self.models.list_models(team=team, namespace=namespace, enabled=enabled)
        return self.rows_of(records, now)

    def rows_of(
        self, records: Iterable[ModelRecord], now: datetime | None = None, tz: str | None = None
    ) -> list[FleetRow]:
        now = now or datetime.now(UTC)
        policies = self.scheduler.policies()
        overrides = self.scheduler.active_overrides(now)
        status = self._status() if self.connected else None
        return [
            FleetRow(
                rec,
                self._schedule_text(rec, now, policies, overrides, tz),
                status.row(rec) if status is not None else None,
            )
            for rec in records
        ]

    def schedule_texts(
        self, keys: Iterable[Key], tz: str | None = None, now: datetime | None = None
    ) -> dict[Key, str]:
        """The Schedule column of these models (a push after a schedule change)."""
        now = now or datetime.now(UTC)
        policies = self.scheduler.policies()
        overrides = self.scheduler.active_overrides(now)
        out = {}
        for key in keys:
            try:
                rec = self.get(key[0], key[1])
            except RegistryError:
                continue
            out[key] = self._schedule_text(rec, now, policies, overrides, tz)
        return out

    def status_rows(self, records: list[ModelRecord]) -> dict[Key, StatusRow]:
        """Status rows of these records plus managed objects without a record."""
        return self._status().rows(records) if self.connected else {}

    def live_rows(self, records: Iterable[ModelRecord]) -> dict[Key, StatusRow | None]:
        """Only the live status of these records: no database read (the watch's view, the
        scheduler's in-process memory and the reconciler's states), cheap enough for a push."""
        status = self._status() if self.connected else None
        return {r.key: status.row(r) if status is not None else None for r in records}

    def status_row(self, record: ModelRecord) -> StatusRow | None:
        return self._status().row(record) if self.connected else None

    def live_of(self, key: Key) -> ModelLive | None:
        return self.live.snapshot(key) if self.live is not None else None

    def get(self, namespace: str, name: str) -> ModelRecord:
        return self.models.get(name, namespace)

    def list_models(self) -> list[ModelRecord]:
        return self.models.list_models()

    def teams(self) -> list[str]:
        return self.models.registry.teams()

    def namespaces(self) -> list[str]:
        return self.models.registry.namespaces()

    def budget_alerts(self) -> dict[str, str]:
        """Teams over their monthly budget or projected over it: team -> the sentence saying so.
        A cost query, so re-read at most every five minutes, or at once when a budget changed
        (the table asks on every load)."""
        budgets, now = self.cost.budgets(), monotonic()
        if (
            self._alerts is None
            or self._alerts[1] != budgets
            or now - self._alerts[0] > BUDGET_CHECK_S
        ):
            lines = self.cost.teams_over_budget()
            self._alerts = (now, budgets, {team: line.describe() for team, line in lines.items()})
        return self._alerts[2]

    def stamp(self) -> tuple[int, int]:
        """Changes whenever any record was written (by this process or another)."""
        return self.models.registry.fleet_stamp()

    def timezone_of(self, record: ModelRecord) -> str:
        sc = record.spec.schedule
        return (sc.timezone if sc and sc.timezone else None) or self.settings.default_timezone

    def console_url(self, record: ModelRecord) -> str:
        s = self.settings
        return s.console_url_template.format(
            namespace=record.namespace,
            name=record.name,
            team=record.spec.team,
            region=s.region,
            cluster=s.cluster_name,
        )

    def _schedule_text(
        self, rec: ModelRecord, now: datetime, policies: Any, overrides: Any, tz: str | None = None
    ) -> str:
        decision = self.scheduler.decide_for(rec, now, policies=policies, overrides=overrides)
        shown_tz = tz or self.timezone_of(rec)
        head = explain(decision, shown_tz, now, label="abbr").split(" (")[0]
        if decision.rule == "grace":
            head = head.replace("up until", "grace until")
        elif decision.rule == "override":
            who = decision.detail.removeprefix("override by ").split(":")[0]
            head = head.replace("until", "override until", 1) + f" by {who}"
        elif decision.rule == "holiday":
            head += " · holiday"
        return head

    # ------------------------------------------------------------------ one-click actions

    def switch(self, namespace: str, name: str, enabled: bool, *, actor: Actor) -> ReplicaChange:
        saved = self.models.set_enabled(namespace, name, enabled, actor=actor, source="ui")
        return ReplicaChange(saved, self.runs_for(saved.record))

    def scale(self, namespace: str, name: str, replicas: int, *, actor: Actor) -> ReplicaChange:
        saved = self.models.set_replicas(namespace, name, replicas, actor=actor, source="ui")
        return ReplicaChange(saved, self.runs_for(saved.record))

    def set_autoscaling_bounds(
        self, namespace: str, name: str, low: int, high: int, *, actor: Actor
    ) -> ReplicaChange:
        saved = self.models.set_autoscaling_bounds(
            namespace, name, low, high, actor=actor, source="ui"
        )
        return ReplicaChange(saved, self.runs_for(saved.record))

    def runs_for(self, record: ModelRecord) -> int:
        return self._status().desired_for(record.spec) if self.connected else 0

    def reapply(self, key: Key) -> ReconcileResult | None:
        return self.reconciler.reconcile_now(key) if self.reconciler is not None else None

    def reapply_all(self) -> list[ReconcileResult]:
        return self.reconciler.reconcile_all() if self.reconciler is not None else []

    def keep(
        self,
        record: ModelRecord,
        choice: str,
        *,
        actor: Actor,
        now: datetime,
        tz: str | None = None,
    ) -> str:
        """Keep a model up (1 h, 3 h, until tomorrow 09:00), scale it down now, or hand it back
        to its schedule; the scheduler acts at once. Returns what happened, for the user, in
        ``tz`` (the viewer's zone; "tomorrow 09:00" is 09:00 there)."""
        if choice not in KEEP_CHOICES:
            raise ValueError(f"choice must be one of {', '.join(KEEP_CHOICES)}, not '{choice}'")
        where = zone(tz or self.timezone_of(record))
        if choice == "clear":
            self.scheduler.clear_override(record.key, actor)
            message = "back to its schedule"
        else:
            state, until = self._override_for(record, choice, now, where)
            self.scheduler.set_override(
                record.key, state, until, actor=actor, reason="from the dashboard"
            )
            message = f"kept {state} until {until.astimezone(where):%a %H:%M %Z}"
        if self.connected:
            self.scheduler.reconcile(reason="override", keys={record.key})
        return message

    def _override_for(
        self, record: ModelRecord, choice: str, now: datetime, tz: Any
    ) -> tuple[str, datetime]:
        if choice == "up1":
            return "up", now + timedelta(hours=1)
        if choice == "up3":
            return "up", now + timedelta(hours=3)
        if choice == "tomorrow":
            tomorrow = now.astimezone(tz).date() + timedelta(days=1)
            return "up", wall_to_instant(tomorrow, time(9), tz)
        decision = self.scheduler.decide_for(record, now)
        until = (decision.until if decision.state == "down" else None) or now + timedelta(hours=12)
        return "down", min(until, now + timedelta(days=7))

    # ------------------------------------------------------------------ the "going to sleep" banner

    def upcoming_scale_downs(
        self, owner: str, now: datetime, within: timedelta = timedelta(minutes=15)
    ) -> list[tuple[ModelRecord, datetime]]:
        """Models of ``owner`` (name or e-mail) the schedule scales down within ``within``."""
        who = owner.lower()
        if not who:
            return []
        engine = self.scheduler
        policies, overrides = engine.policies(), engine.active_overrides(now)
        out = []
        for rec in engine.records():
            o = (rec.spec.owner or "").lower()
            if not (o == who or o.split("@")[0] == who):
                continue
            d = engine.decide_for(rec, now, policies=policies, overrides=overrides)
            if d.state == "up" and d.until is not None and d.until - now <= within:
                after = engine.decide_for(rec, d.until, policies=policies, overrides=overrides)
                if after.state == "down":
                    out.append((rec, d.until))
        return out

    def snooze(self, keys: Iterable[Key], *, actor: Actor, now: datetime) -> int:
        """Keep these models up for another hour (the banner's button)."""
        n = 0
        for key in keys:
            self.scheduler.set_override(
                key, "up", now + timedelta(hours=1), actor=actor, reason="snoozed from the banner"
            )
            n += 1
        return n

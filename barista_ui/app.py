"""The typed application: every service Barista runs, built once from settings, started and
stopped together. ``main.py`` (the dashboard) and the CLI build it; the page hands each view the
one service it needs.

Build order: database → cost → cluster connection → scheduler → (demo seed) → reconciler and
the record write path → the views' services. Nothing here talks to the cluster inside a database
transaction; threads start only in :meth:`App.start`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from barista_ui.access.identity import Identity
from barista_ui.access.service import AccessService
from barista_ui.cluster.connection import ClusterConnection, connect
from barista_ui.cluster.gate import ReconcilerGate
from barista_ui.cluster.hub import ChangeHub, KeyWorker
from barista_ui.cluster.reconciler import Reconciler
from barista_ui.cluster.status import FleetStatus
from barista_ui.cost.board import BillingKeys, CostBoard
from barista_ui.cost.history import ReplicaRecorder
from barista_ui.cost.opencost import OpenCostClient
from barista_ui.cost.service import CostService
from barista_ui.demo import seed_if_empty
from barista_ui.fleet import Fleet
from barista_ui.ops import metrics
from barista_ui.ops.notify import ChangeListener
from barista_ui.ops.runtime import leads, open_database, start_replica_runtime
from barista_ui.records.registry import ModelRecord, RegistryService
from barista_ui.records.replicas import desired_replicas
from barista_ui.records.service import ModelService
from barista_ui.records.snapshot import RecordsSnapshot
from barista_ui.records.spec import ModelSpec
from barista_ui.schedule.board import ScheduleBoard
from barista_ui.schedule.engine import SchedulerEngine, up_fraction
from barista_ui.schedule.leader import make_leadership
from barista_ui.schedule.runner import SchedulerRunner
from barista_ui.settings import Settings
from data.db import SessionFactory, session_factory
from data.types import utcnow
from k8s.live import LiveState

log = logging.getLogger("barista")

Key = tuple[str, str]


@dataclass
class App:
    settings: Settings
    engine: Engine
    registry: RegistryService
    models: ModelService  # the one write path for records: dry run, commit, reconcile
    scheduler: SchedulerEngine
    cost: CostService
    cost_board: CostBoard  # what the Cost tab, the model panel and the editor show of cost
    schedule_board: ScheduleBoard  # what the Schedules tab shows and saves
    fleet: Fleet  # what the Models and Cluster tabs show and do
    hub: ChangeHub
    cluster: ClusterConnection
    access: AccessService  # role bindings, API tokens, the access audit
    reconciler: Reconciler | None = None  # None without a cluster
    live: LiveState | None = None
    recorder: ReplicaRecorder | None = None
    runner: SchedulerRunner | None = None
    _stop_rollups: threading.Event = field(default_factory=threading.Event)
    stopping: bool = False  # set by stop(): readiness answers 503 from then on
    listener: ChangeListener | None = None  # PostgreSQL: hears other processes' commits

    @cached_property
    def identity(self) -> Identity:
        """Request headers and bearer tokens to actors: ``identity.resolve_actor(headers,
        client_host)`` (None: no identity, HTTP 401)."""
        return Identity(self.settings, self.access)

    # ------------------------------------------------------------------ the replica rule's inputs

    def desired_for(self, spec: ModelSpec) -> int:
        """Replicas the cluster should run for a record, given the scheduler's hold-down (kept
        in the database, so the CLI knows it too)."""
        held = self.scheduler.is_held_down((spec.namespace, spec.name))
        return desired_replicas(spec, scheduled_down=held)

    def fleet_status(self) -> FleetStatus:
        """The status-row builder on this process's live view and reconciler."""
        reconciler = self.reconciler
        state_of = reconciler.state if reconciler is not None else (lambda key: None)
        return FleetStatus(self.desired_for, self.live, state_of)

    def watch(self, timeout: float = 30.0) -> LiveState:
        """Start the list+watch and wait until it has listed everything (the CLI's status)."""
        if self.live is None:
            raise RuntimeError("no cluster connected")
        self.live.start()
        self.live.wait_until(lambda live: live.synced, timeout)
        return self.live

    # ------------------------------------------------------------------ events between services

    def live_changed(self, keys: set[Key]) -> None:
        """The watch saw these models change: push, re-check drift, record replica history
        (on its own thread: its database writes must not delay the next push)."""
        self.hub.publish(keys)
        if self.reconciler is not None:
            self.reconciler.observe(keys)
        if self.recorder is not None:
            self._recording.put(keys)

    @cached_property
    def _recording(self) -> KeyWorker:
        recorder = self.recorder
        assert recorder is not None
        return KeyWorker(recorder.observe, "replica-history")

    def applied(self, key: Key, replicas: int) -> None:
        """The reconciler set ``replicas`` on ``key`` (so replica history says why)."""
        if self.recorder is not None:
            self.recorder.note(key, replicas, "apply")

    # ------------------------------------------------------------------ the dashboard's runtime

    def start(self) -> None:
        """Start the watch, the reconciler (every record queued), the scheduler and the daily
        cost roll-ups. Quick: the work itself runs in their threads."""
        if self.live is not None:
            self.live.start()
        if self.reconciler is not None:
            self.reconciler.start()
            threading.Thread(target=self._first_apply, name="first-apply", daemon=True).start()
        self.start_scheduler()
        self.start_cost_rollups()
        self.listener = start_replica_runtime(self)  # NOTIFY listener, metrics' state

    def _first_apply(self) -> None:
        """Queue every record, once the scheduler's memory agrees with the cluster (a crash
        between its two writes must not make the reconciler undo a scale-down or a restore)."""
        try:
            synced = self.scheduler.sync_memory() if self.settings.scheduler_enabled else 0
            if synced:
                log.info("scheduler memory taken from the cluster for %d models", synced)
        except Exception:
            log.exception("syncing the scheduler's memory with the cluster failed")
        if self.reconciler is not None:
            queued = self.reconciler.submit_all()
            log.info("queued %d records for the %s", queued, self.cluster.kind)

    def start_scheduler(self) -> SchedulerRunner | None:
        """The in-process scheduler (APScheduler on the running event loop); acts only with a
        cluster and only while this process holds the leader lock."""
        if not self.settings.scheduler_enabled or self.cluster.gateway is None:
            return None
        s, gateway = self.settings, self.cluster.gateway
        lead = make_leadership(
            s.leader_election, self.engine, gateway.api_client, in_cluster=self.cluster.in_cluster
        )
        self.runner = SchedulerRunner(self.scheduler, lead, interval_s=s.reconcile_interval_s)
        self.runner.start()
        return self.runner

    def start_cost_rollups(self) -> threading.Thread:
        """Roll up each day shortly after it ends (and now, for days not rolled up yet), in a
        background thread, so no page view pays for it."""
        thread = threading.Thread(target=self._rollup_loop, name="cost-rollups", daemon=True)
        thread.start()
        return thread

    def _rollup_loop(self) -> None:
        while not self._stop_rollups.is_set():
            if not leads(self.runner)[1]:  # one replica rolls up; the others check again later
                self._stop_rollups.wait(30)
                continue
            try:
                with metrics.ROLLUP_DURATION.time():
                    self.cost.refresh_rollups()
            except Exception:  # the next read rolls up instead; say why here
                log.exception("cost roll-up failed")
            now = datetime.now(ZoneInfo(self.cost.tz))
            tomorrow = datetime.combine(
                now.date() + timedelta(days=1), datetime.min.time(), now.tzinfo
            )
            self._stop_rollups.wait(max((tomorrow - now).total_seconds() + 300, 60))

    def stop(self) -> None:
        """Graceful stop (SIGTERM): scheduler and leadership first, then the applies in flight
        finish (queued intent stays in the database for the others), then the watches close."""
        self.stopping = True
        self._stop_rollups.set()
        if self.listener is not None:
            self.listener.stop()
        if self.runner is not None:
            self.runner.shutdown()
            log.info("shutdown: scheduler stopped, leadership released")
        if self.reconciler is not None:
            left = self.reconciler.stop()
            log.info("shutdown: reconciler stopped, %d queued models left to the others", left)
        for name, stop in (("live", self.live), ("simulator", self.cluster)):
            if stop is not None:
                try:
                    stop.stop()
                except Exception:
                    log.exception("stopping the %s failed", name)
        log.info("shutdown: watches closed")
        self.engine.dispose()


def build_app(settings: Settings, *, embedded: bool = False, seed: bool | None = None) -> App:
    """Migrate the database, connect to the cluster (``embedded``: start the simulator when none
    is configured), seed the demo fleet into an empty database and wire every service. Services
    that report back to the app (the watch, the reconciler) get small lambdas that call it once
    it exists: nothing calls them before :meth:`App.start`."""
    engine = open_database(settings.database_url)
    new_session = session_factory(engine)
    registry = RegistryService(
        new_session, max_replicas=settings.max_replicas, bounds=settings.resource_bounds()
    )
    cost = _cost(settings, new_session)
    cluster = connect(settings, embedded=embedded)
    live = None
    if cluster.gateway is not None:
        live = LiveState(cluster.gateway.api_client, on_change=lambda keys: app.live_changed(keys))
    scheduler = _scheduler(settings, new_session, registry, cluster, live)
    if settings.seed_demo if seed is None else seed:
        seed_if_empty(registry, scheduler, cost)
    hub = ChangeHub()
    scheduler.on_change = hub.publish_schedule  # the Schedule column follows live
    reconciler, models = _write_path(
        settings,
        registry,
        cluster,
        live,
        hub,
        lambda spec: app.desired_for(spec),
        lambda k, n: app.applied(k, n),
    )
    records = RecordsSnapshot(registry)
    access = _access(settings, new_session)
    cost_board = _cost_board(settings, cost, scheduler, records, registry)
    app = App(
        settings=settings,
        engine=engine,
        registry=registry,
        models=models,
        scheduler=scheduler,
        cost=cost,
        cost_board=cost_board,
        schedule_board=_schedule_board(settings, scheduler, records, cost, cluster),
        fleet=Fleet(
            models,
            scheduler,
            cost_board,
            cluster=cluster,
            reconciler=reconciler,
            live=live,
            hub=hub,
            status=lambda: app.fleet_status(),
            settings=settings,
        ),
        hub=hub,
        cluster=cluster,
        access=access,
        reconciler=reconciler,
        live=live,
        recorder=_recorder(cost, registry, scheduler, live),
    )
    return app


def _access(settings: Settings, new_session: SessionFactory) -> AccessService:
    access = AccessService(
        new_session,
        admins=settings.admin_emails(),
        default_role=settings.default_role,
        token_days=settings.token_days,
    )
    access.reload()  # the page resolves roles on its event loop: never a first read there
    return access


def _cost(settings: Settings, new_session: SessionFactory) -> CostService:
    cost = CostService(
        new_session,
        tz=settings.cost_timezone,
        region=settings.region,
        price_file=settings.price_file,
    )
    cost.load_price_file()
    return cost


def _scheduler(
    settings: Settings,
    new_session: SessionFactory,
    registry: RegistryService,
    cluster: ClusterConnection,
    live: LiveState | None,
) -> SchedulerEngine:
    return SchedulerEngine(
        new_session,
        registry,
        cluster.gateway,
        live=live,
        dry_run=settings.scheduler_dry_run,
        default_tz=settings.default_timezone,
        grace=timedelta(minutes=settings.grace_period_min),
    )


def _write_path(
    settings: Settings,
    registry: RegistryService,
    cluster: ClusterConnection,
    live: LiveState | None,
    hub: ChangeHub,
    desired_for: Callable[[ModelSpec], int],
    applied: Callable[[Key, int], None],
) -> tuple[Reconciler | None, ModelService]:
    """The reconciler and the record write path that dry-runs changes and hands them over to it
    (without a cluster: saves only)."""
    if cluster.gateway is None:
        return None, ModelService(registry)
    reconciler = Reconciler(
        registry,
        cluster.gateway,
        desired_for,
        live=live,
        resync_s=max(1.0, min(settings.reconcile_interval_s, 5.0)),
        on_applied=applied,
        on_state=hub.publish,
    )
    gate = ReconcilerGate(cluster.gateway, reconciler, desired_for)
    return reconciler, ModelService(registry, gate)


def _schedule_board(
    settings: Settings,
    scheduler: SchedulerEngine,
    records: RecordsSnapshot,
    cost: CostService,
    cluster: ClusterConnection,
) -> ScheduleBoard:
    return ScheduleBoard(
        scheduler,
        records,
        hourly_rate=cost.rate_for,
        saved_by_team=cost.saved_this_month,
        connected=cluster.gateway is not None,
        dry_run=settings.scheduler_dry_run,
    )


def _cost_board(
    settings: Settings,
    cost: CostService,
    scheduler: SchedulerEngine,
    records: RecordsSnapshot,
    registry: RegistryService,
) -> CostBoard:
    st = settings
    opencost = (
        OpenCostClient(st.opencost_url, label=st.opencost_model_label) if st.opencost_url else None
    )
    return CostBoard(
        cost,
        records=records,
        teams=registry.teams,
        up_fraction=lambda spec, at: up_fraction(scheduler, spec, at),
        billing_keys=BillingKeys(
            st.focus_team_tag, st.focus_model_tag, st.gcp_team_label, st.gcp_model_label
        ),
        opencost=opencost,
    )


def _recorder(
    cost: CostService,
    registry: RegistryService,
    scheduler: SchedulerEngine,
    live: LiveState | None,
) -> ReplicaRecorder | None:
    """Replica history from the watch (what cost is computed from); None without a cluster."""
    if live is None:
        return None

    def lookup(key: Key) -> ModelRecord | None:
        return registry.find(key[1], key[0])

    def memory(key: Key) -> tuple[bool, int | None]:
        m = scheduler.memory(key)
        return (m.state == "down", m.original)

    return ReplicaRecorder(cost, lookup, live, clock=utcnow, schedule_memory=memory)

"""Builds the application's services from settings (the composition root below main.py).

The dashboard calls :func:`build_services` then :meth:`Services.start_runtime` (cluster
connection, live watches, scheduler); the CLI builds the same services and connects to a
cluster only for the commands that need one.
"""

from __future__ import annotations

import logging
import os
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from barista_ui.cluster.hub import ChangeHub
from barista_ui.cluster.reconciler import Reconciler
from barista_ui.cluster.status import FleetStatus
from barista_ui.records.registry import RegistryService
from barista_ui.records.replicas import desired_replicas
from barista_ui.records.service import ModelService
from barista_ui.records.spec import ModelSpec
from barista_ui.settings import Settings
from data.db import make_engine, migrate, session_factory
from data.seed import demo_records

if TYPE_CHECKING:
    from barista_ui.cost.board import CostBoard

log = logging.getLogger("barista")

SIMULATOR_KUBECONFIG = Path("var") / "simulator.kubeconfig"
DEMO_BUDGETS = {"nlp": 6000.0, "search": 3600.0, "recsys": 1000.0, "vision": 1800.0}
DEMO_POLICIES = {  # team: (uptime, downtime, timezone, holidays)
    "vision": ("Mon-Fri 07:00-20:00", None, "Europe/Berlin", ("DE", "BE")),
    "recsys": (None, "Sat-Sun 00:00-24:00", "America/New_York", None),
}


@dataclass
class Services:
    settings: Settings
    engine: Engine
    registry: RegistryService
    hub: ChangeHub = field(default_factory=ChangeHub)
    models: ModelService = field(init=False)  # the one write path for records
    reconciler: Reconciler | None = None  # set once a cluster is connected
    gateway: Any | None = None  # k8s.gateway.ClusterGateway
    live: Any | None = None  # k8s.live.LiveState
    simulator: Any | None = None  # k8s.simulator.Simulator (embedded demo cluster)
    cluster_kind: str = "none"  # none | simulator | cluster
    cluster_error: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    _connected: bool = False

    def __post_init__(self) -> None:
        self.models = ModelService(self.registry)  # no cluster yet: nothing to check or apply

    # ------------------------------------------------------------- cluster connection

    def connect_cluster(self) -> Reconciler | None:
        """The reconciler, connecting on first use; None when no cluster is configured."""
        if not self._connected:
            self._connected = True
            try:
                self._connect(embedded=False)
            except Exception as exc:  # reported to the user by the caller
                self.cluster_error = str(exc)
                log.warning("no cluster: %s", exc)
        return self.reconciler

    def desired_for(self, spec: ModelSpec) -> int:
        """Replicas the cluster should run for a record, given the scheduler's hold-down."""
        return desired_replicas(spec, scheduled_down=self._held_down((spec.namespace, spec.name)))

    def fleet_status(self) -> FleetStatus:
        """The status-row builder on this process's live view and reconciler."""
        state_of = self.reconciler.state if self.reconciler is not None else lambda key: None
        return FleetStatus(self.desired_for, self.live, state_of)

    def _connect(self, *, embedded: bool) -> None:
        from barista_ui.cluster.gate import ReconcilerGate
        from k8s.client import load_api_client
        from k8s.gateway import ClusterGateway

        s = self.settings
        if s.cluster == "none":
            return
        kubeconfig, kind = s.kubeconfig, "cluster"
        in_cluster = s.in_cluster or (
            s.cluster == "auto" and not kubeconfig and "KUBERNETES_SERVICE_HOST" in os.environ
        )
        if not kubeconfig and not in_cluster:
            if embedded:
                self.simulator = start_embedded_simulator(s)
                kubeconfig, kind = str(SIMULATOR_KUBECONFIG), "simulator"
            elif SIMULATOR_KUBECONFIG.exists() and _answers(SIMULATOR_KUBECONFIG):
                kubeconfig, kind = str(SIMULATOR_KUBECONFIG), "simulator"
            else:
                return
        api_client = load_api_client(kubeconfig, s.kube_context, in_cluster)
        self.gateway = ClusterGateway(api_client)
        self.cluster_kind = kind
        self.reconciler = Reconciler(
            self.registry,
            self.gateway,
            self.desired_for,
            resync_s=max(1.0, min(s.reconcile_interval_s, 5.0)),
            on_applied=lambda key, replicas: self._note_change(key, replicas, "apply"),
            on_state=self.hub.publish,
        )
        self.models.gate = ReconcilerGate(self.gateway, self.reconciler, self.desired_for)

    def scheduler_engine(self):
        """The off-hours scheduler (acts only when a cluster is connected)."""
        from datetime import timedelta

        from barista_ui.schedule.engine import SchedulerEngine

        if "scheduler" not in self.extras:
            s = self.settings
            self.extras["scheduler"] = SchedulerEngine(
                session_factory(self.engine),
                self.registry,
                self.gateway,
                live=self.live,
                dry_run=s.scheduler_dry_run,
                default_tz=s.default_timezone,
                grace=timedelta(minutes=s.grace_period_min),
            )
        return self.extras["scheduler"]

    def cost_service(self):
        from barista_ui.cost.service import CostService

        if "cost" not in self.extras:
            cost = CostService(
                session_factory(self.engine),
                tz=self.settings.cost_timezone,
                region=self.settings.region,
                price_file=self.settings.price_file,
            )
            cost.load_price_file()
            self.extras["cost"] = cost
        return self.extras["cost"]

    def records_snapshot(self) -> list:
        """All records, re-read only when the registry changed (one cheap stamp query)."""
        stamp = self.registry.fleet_stamp()
        cached = self.extras.get("records_snapshot")
        if cached is None or cached[0] != stamp:
            cached = (stamp, self.registry.list_models())
            self.extras["records_snapshot"] = cached
        return cached[1]

    def cost_board(self) -> CostBoard:
        """The one cost facade of the Cost tab, the model panel, the editor and the CLI."""
        from barista_ui.cost.board import BillingKeys, CostBoard
        from barista_ui.schedule.engine import up_fraction

        st = self.settings
        return CostBoard(
            self.cost_service(),
            records=self.records_snapshot,
            teams=self.registry.teams,
            up_fraction=lambda spec, at: up_fraction(self.scheduler_engine(), spec, at),
            billing_keys=BillingKeys(
                st.focus_team_tag, st.focus_model_tag, st.gcp_team_label, st.gcp_model_label
            ),
            opencost=self.opencost(),
        )

    def opencost(self):
        """The OpenCost client when BARISTA_OPENCOST_URL is set, else None."""
        from barista_ui.cost.opencost import OpenCostClient

        if not self.settings.opencost_url:
            return None
        if "opencost" not in self.extras:
            self.extras["opencost"] = OpenCostClient(
                self.settings.opencost_url, label=self.settings.opencost_model_label
            )
        return self.extras["opencost"]

    def start_scheduler(self):
        """Start the in-process scheduler (APScheduler on the running event loop)."""
        from barista_ui.schedule.leader import make_leadership
        from barista_ui.schedule.runner import SchedulerRunner

        if not self.settings.scheduler_enabled or self.gateway is None:
            return None
        runner = SchedulerRunner(
            self.scheduler_engine(),
            make_leadership(self.settings.leader_election, self.engine),
            interval_s=self.settings.reconcile_interval_s,
        )
        runner.start()
        self.extras["runner"] = runner
        return runner

    def start_live(self, *, wait: bool = False, timeout: float = 30.0):
        """Start list+watch of managed objects; changes go to the hub (and replica history)."""
        from k8s.live import LiveState

        if self.gateway is None:
            raise RuntimeError("no cluster connected")
        if self.live is None:
            self.live = LiveState(self.gateway.api_client, on_change=self._on_live_change)
            if self.reconciler is not None:
                self.reconciler.live = self.live
            self.live.start()
        if wait:
            self.live.wait_until(lambda live: live.synced, timeout)
        return self.live

    # -- hooks filled in by the scheduler and cost services when present

    def _held_down(self, key: tuple[str, str]) -> bool:
        """The scheduler's remembered state (kept in the database, so the CLI knows it too)."""
        return self.scheduler_engine().is_held_down(key)

    def _note_change(self, key: tuple[str, str], replicas: int, reason: str) -> None:
        recorder = self.extras.get("recorder")
        if recorder is not None:
            recorder.note(key, replicas, reason)

    def _on_live_change(self, keys: set[tuple[str, str]]) -> None:
        recorder = self.extras.get("recorder")
        if recorder is not None:
            try:
                recorder.observe(keys)
            except Exception:
                log.exception("recording replica history failed")
        if self.reconciler is not None:
            self.reconciler.observe(keys)
        self.hub.publish(keys)

    # ------------------------------------------------------------- dashboard runtime

    def start_runtime(self) -> None:
        """Connect (starting the embedded simulator if needed), apply records, watch."""
        if self._connected:
            return
        self._connected = True
        try:
            self._connect(embedded=True)
        except Exception as exc:
            self.cluster_error = f"cannot connect to the cluster: {exc}"
            log.error(self.cluster_error)
            return
        if self.reconciler is None:
            return
        engine = self.scheduler_engine()
        from barista_ui.cost.history import ReplicaRecorder
        from data.types import utcnow

        def memory(key):
            m = engine.memory(key)
            return (m.state == "down", m.original)

        self.extras["recorder"] = ReplicaRecorder(
            self.cost_service(),
            lambda key: self.registry.find(key[1], key[0]),
            None,
            clock=utcnow,
            schedule_memory=memory,
        )
        self.start_live()
        self.extras["recorder"].live = self.live
        self.reconciler.start()
        queued = self.reconciler.submit_all()  # the initial apply, off this thread
        log.info("queued %d records for the %s", queued, self.cluster_kind)

    def start_cost_rollups(self) -> threading.Thread:
        """Roll up each day shortly after it ends (and now, for days not rolled up yet), in a
        background thread, so no page view pays for it."""
        from zoneinfo import ZoneInfo

        cost = self.cost_service()
        stop = self.extras.setdefault("stop_rollups", threading.Event())

        def loop() -> None:
            while not stop.is_set():
                try:
                    cost.refresh_rollups()
                except Exception:  # the next read rolls up instead; say why here
                    log.exception("cost roll-up failed")
                now = datetime.now(ZoneInfo(cost.tz))
                tomorrow = datetime.combine(
                    now.date() + timedelta(days=1), datetime.min.time(), now.tzinfo
                )
                stop.wait(max((tomorrow - now).total_seconds() + 300, 60))

        thread = threading.Thread(target=loop, name="cost-rollups", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        stop = self.extras.get("stop_rollups")
        if stop is not None:
            stop.set()
        runner = self.extras.get("runner")
        if runner is not None:
            runner.shutdown()
        if self.reconciler is not None:
            self.reconciler.stop()
        for name in ("live", "simulator"):
            obj = getattr(self, name)
            if obj is not None:
                try:
                    obj.stop()
                except Exception:
                    log.exception("stopping %s failed", name)
        self.engine.dispose()


def start_embedded_simulator(settings: Settings):
    from k8s.simulator import SimulatorConfig, start_simulator

    sim = start_simulator(SimulatorConfig(port=0, speed=settings.simulator_speed))
    SIMULATOR_KUBECONFIG.parent.mkdir(parents=True, exist_ok=True)
    sim.write_kubeconfig(str(SIMULATOR_KUBECONFIG))
    log.info("embedded cluster simulator at %s (kubeconfig %s)", sim.url, SIMULATOR_KUBECONFIG)
    return sim


def _answers(kubeconfig: Path) -> bool:
    """Is the simulator of a running dashboard still there? (its kubeconfig outlives it)"""
    import yaml

    try:
        cfg = yaml.safe_load(kubeconfig.read_text())
        server = cfg["clusters"][0]["cluster"]["server"]
        with urllib.request.urlopen(server + "/version", timeout=1):
            return True
    except urllib.error.HTTPError:
        return True  # it answered (perhaps 401 without the token)
    except Exception:
        return False


def build_services(settings: Settings, *, seed: bool | None = None) -> Services:
    """Connect, migrate to the newest schema and, on an empty database, seed the demo fleet."""
    engine = make_engine(settings.database_url)
    migrate(engine)
    registry = RegistryService(session_factory(engine), max_replicas=settings.max_replicas)
    services = Services(settings=settings, engine=engine, registry=registry)
    if (settings.seed_demo if seed is None else seed) and registry.fleet_stamp() == (0, 0):
        registry.apply_many(demo_records(), actor="barista-demo", source="cli", reason="demo data")
        engine_ = services.scheduler_engine()
        for team, (up, down, tz, cal) in DEMO_POLICIES.items():
            engine_.set_policy(
                "team",
                team,
                uptime=up,
                downtime=down,
                timezone=tz,
                holidays=cal,
                actor="barista-demo",
            )
        now = datetime.now(UTC)
        policies = engine_.policies()
        services.cost_service().seed_demo_history(
            registry.list_models(),
            now,
            is_down=lambda rec, t: (
                engine_.decide_for(rec, t, policies=policies, overrides={}, need_until=False).state
                == "down"
            ),
        )
        for team, usd in DEMO_BUDGETS.items():
            services.cost_service().set_budget(team, usd, "barista-demo")
        services.extras.pop("scheduler", None)  # rebuilt with the cluster once connected
        log.info("seeded the demo fleet into an empty database")
    return services

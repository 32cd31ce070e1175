"""The parts of the running app that exist because several replicas share one database: the
listener that wakes this process on another's commit, and what the metrics read at scrape
time. Kept here so ``barista_ui/app.py`` only calls in."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from barista_ui.cluster.hub import ChangeHub
from barista_ui.cluster.reconciler import Reconciler
from barista_ui.ops import metrics
from barista_ui.ops.committed import install
from barista_ui.ops.notify import ChangeListener
from barista_ui.schedule.engine import SchedulerEngine
from barista_ui.schedule.runner import SchedulerRunner
from data.db import make_engine, migrate
from k8s.live import LiveState

log = logging.getLogger("barista.replicas")
Key = tuple[str, str]


def open_database(url: str) -> Engine:
    """The engine, with the commit hooks (audit lines, counters, NOTIFY on PostgreSQL), its
    schema migrated (on PostgreSQL under an advisory lock: one replica migrates)."""
    engine = make_engine(url)
    install()
    migrate(engine)
    return engine


def start_listener(
    engine: Engine,
    hub: ChangeHub,
    reconciler: Reconciler | None,
    scheduler: SchedulerEngine | None,
) -> ChangeListener | None:
    """On PostgreSQL: hear other processes' commits and wake the reconciler (resync now), the
    scheduler's copy of its memory and the pages (re-read those models). None on SQLite."""
    install()
    if engine.url.get_backend_name() != "postgresql":
        return None

    def changed(keys: set[Key] | None) -> None:
        hub.publish_records(keys)  # pages first: they re-read in their own worker threads
        if reconciler is not None:
            reconciler.wake()
        if scheduler is not None:
            try:
                scheduler.load_memory()
            except Exception:
                log.exception("reloading the scheduler's memory failed")
        if keys:
            hub.publish(keys)

    listener = ChangeListener(engine, changed)
    listener.start()
    return listener


def metrics_source(
    reconciler: Reconciler | None,
    live: LiveState | None,
    statuses: Callable[[], dict[Any, Any]],
    leader: Callable[[], tuple[str, bool]],
) -> metrics.StateSource:
    def sync_counts() -> dict[str, int]:
        return dict(Counter(str(row.status) for row in statuses().values()))

    return metrics.StateSource(
        queue_depth=reconciler.queue_depth if reconciler is not None else (lambda: 0),
        watch_restarts=(lambda: live.reconnects) if live is not None else (lambda: 0),
        watch_relists=(lambda: live.relists) if live is not None else (lambda: 0),
        sync_status=sync_counts,
        leader=leader,
    )


def leads(runner: SchedulerRunner | None) -> tuple[str, bool]:
    """Leadership kind, and whether this process leads (the scheduler and the roll-ups; no
    scheduler: every process rolls up)."""
    if runner is None:
        return "none", True
    return getattr(runner.leadership, "kind", "none"), runner.leader


def start_replica_runtime(app: Any) -> ChangeListener | None:
    """For the running App: the change listener (PostgreSQL), and the state the metrics read
    at scrape time (typed ``Any``: the App imports this module)."""
    sched = app.scheduler if app.settings.scheduler_enabled else None
    listener = start_listener(app.engine, app.hub, app.reconciler, sched)

    def statuses() -> dict:
        return app.fleet_status().rows(app.registry.list_models(), unmanaged=False)

    metrics.watch_state(
        metrics_source(app.reconciler, app.live, statuses, lambda: leads(app.runner))
    )
    return listener

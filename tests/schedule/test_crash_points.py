"""The scheduler killed at every write point recovers to the right count.

A transition writes the cluster and the database; the process may die after any write. The
fault hook counts the writes (cluster patches and database commits) and "kills" the process
after the Nth by raising an exception nothing catches. Then a new process starts on the same
database and cluster as the dashboard does: the scheduler's memory is synced from the
cluster, the reconciler decides each record's count (and, in the racing order, applies it only
after the scheduler's start-up pass, as its worker threads may), then the passes run. For every
N the model must end at the count of a run that was never killed, held down exactly when it
should be, with no "scaled by hand" action logged. Deterministic: no randomness involved."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from barista_ui.records.registry import RegistryService
from barista_ui.records.replicas import desired_replicas, replicas_to_apply
from barista_ui.schedule.engine import SchedulerEngine
from barista_ui.schedule.language import parse_time
from data.db import make_engine, migrate, session_factory
from data.ops_tables import SchedulerAction
from k8s.gateway import ClusterGateway
from k8s.manifests import ORIGINAL_REPLICAS
from tests.conftest import base_record
from tests.k8s_fixtures import sim  # noqa: F401

CREATED = parse_time("2026-11-01T00:00:00Z")
NIGHT = parse_time("2026-11-24T19:00:00Z")  # Tuesday, after Mon-Fri 08:00-18:00 UTC
MORNING = parse_time("2026-11-25T08:00:00Z")
REPLICAS = 3
UPTIME = "Mon-Fri 08:00-18:00 UTC"
CLUSTER_WRITES = ("patch_replicas_and_annotations", "annotate_deployment", "scale")
BATCH_WRITES = ("patch",)  # the scheduler's batch writer (k8s/scale_batch.py)
DATABASE_WRITES = ("record_many",)  # every other store write goes through it


class Killed(BaseException):
    """The process died here (not an Exception: no handler of the scheduler catches it)."""


class WritePoints:
    """Counts writes; the one after which the process dies is ``kill_after`` (None: never)."""

    def __init__(self, kill_after: int | None):
        self.kill_after = kill_after
        self.done = 0
        self.names: list[str] = []

    def wrap(self, owner: Any, names: tuple[str, ...]) -> None:
        for name in names:
            if hasattr(owner, name):
                setattr(owner, name, self._after(getattr(owner, name), name))

    def _after(self, write: Callable[..., Any], name: str) -> Callable[..., Any]:
        @functools.wraps(write)
        def written(*args: Any, **kwargs: Any) -> Any:
            result = write(*args, **kwargs)
            self.done += 1
            self.names.append(name)
            if self.done == self.kill_after:
                raise Killed(f"killed after write {self.done} ({name})")
            return result

        return written


def transition(
    engine: Engine, simulator, name: str, direction: str, kill_after: int | None, racing: bool
) -> tuple[WritePoints, dict]:
    """Run one transition of ``name`` killed after write ``kill_after``, restart, settle."""
    new = session_factory(engine)
    registry = RegistryService(new, clock=lambda: CREATED)
    api = simulator.api_client()
    key = ("ml-prod", name)
    rec = registry.create(
        base_record(name=name, replicas=REPLICAS, schedule={"uptime": UPTIME}),
        actor="t",
        source="cli",
    )
    ClusterGateway(api).apply(rec.to_file_dict(), REPLICAS)
    before, at = (NIGHT - timedelta(hours=2), NIGHT) if direction == "down" else (NIGHT, MORNING)
    if direction == "up":  # held down overnight, cleanly
        SchedulerEngine(new, registry, ClusterGateway(api)).reconcile(before, keys={key})

    points = WritePoints(kill_after)
    gateway = ClusterGateway(api)
    doomed = SchedulerEngine(new, registry, gateway)
    points.wrap(gateway, CLUSTER_WRITES)
    points.wrap(doomed.batch.writer, BATCH_WRITES)
    points.wrap(doomed.store, DATABASE_WRITES)
    try:
        doomed.reconcile(at, keys={key})
    except Killed:
        pass

    restarted = SchedulerEngine(new, registry, ClusterGateway(api))
    sync = getattr(restarted, "sync_memory", None)
    if sync is not None:
        sync()  # App.start: before the reconciler applies anything
    spec = registry.get(name).spec
    desired = desired_replicas(spec, scheduled_down=restarted.is_held_down(key))
    apply_record = functools.partial(
        ClusterGateway(api).apply,
        rec.to_file_dict(),
        lambda live: replicas_to_apply(spec, desired, live),
    )
    if not racing:
        apply_record()
    restarted.reconcile(at + timedelta(seconds=5), reason="catch-up", keys={key})
    if racing:
        apply_record()  # the reconciler's worker lands after the start-up pass
    for minutes in (1, 2):
        restarted.reconcile(at + timedelta(minutes=minutes), keys={key})
    dep = simulator.get_object("Deployment", *key)
    with new() as s:
        logged = [
            a.action for a in s.exec(select(SchedulerAction).where(SchedulerAction.name == name))
        ]
    outcome = {
        "replicas": dep["spec"]["replicas"],
        "annotation": dep["metadata"]["annotations"].get(ORIGINAL_REPLICAS),
        "held_down": restarted.is_held_down(key),
        "manual": logged.count("keep-manual"),
        "errors": logged.count("error"),
    }
    return points, outcome


EXPECTED = {
    "down": {"replicas": 0, "annotation": str(REPLICAS), "held_down": True},
    "up": {"replicas": REPLICAS, "annotation": None, "held_down": False},
}


def every_crash_point(engine: Engine, sim) -> None:  # noqa: F811
    wrong: list[str] = []
    tried = 0
    for direction in ("down", "up"):
        clean, outcome = transition(engine, sim, f"{direction}-clean", direction, None, False)
        assert outcome == {**EXPECTED[direction], "manual": 0, "errors": 0}
        assert clean.done >= 2, clean.names  # a cluster write and a database write at least
        for racing in (False, True):
            for kill_after in range(1, clean.done + 1):
                name = f"{direction}-{'race' if racing else 'seq'}-{kill_after}"
                points, outcome = transition(engine, sim, name, direction, kill_after, racing)
                tried += 1
                if outcome != {**EXPECTED[direction], "manual": 0, "errors": 0}:
                    wrong.append(
                        f"{direction} killed after write {kill_after} "
                        f"({points.names[kill_after - 1]}), reconciler "
                        f"{'racing' if racing else 'first'}: {outcome}"
                    )
    assert tried >= 8
    assert wrong == [], f"{len(wrong)} of {tried} crash points end wrong"


def test_every_crash_point_recovers_on_sqlite(engine, sim) -> None:  # noqa: F811
    every_crash_point(engine, sim)


@pytest.mark.postgres
def test_every_crash_point_recovers_on_postgres(postgres_url: str, sim) -> None:  # noqa: F811
    engine = make_engine(postgres_url)
    migrate(engine)
    try:
        every_crash_point(engine, sim)
    finally:
        engine.dispose()


def test_the_clean_transitions_write_the_cluster_first(engine, sim) -> None:  # noqa: F811
    """The order that makes every crash point recoverable: the annotated patch, then one
    database transaction (memory and log line together)."""
    for direction in ("down", "up"):
        points, _ = transition(engine, sim, f"order-{direction}", direction, None, False)
        assert points.names == ["patch", "record_many"]

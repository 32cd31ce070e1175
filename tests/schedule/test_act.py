"""The writes of one transition: the pure step, the per-pass snapshot, and passes that overlap."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from barista_ui.records.registry import RegistryService
from barista_ui.schedule.act import LiveDeployment, live_snapshot, needs_action, recovered, step
from barista_ui.schedule.decide import Decision
from barista_ui.schedule.engine import SchedulerEngine
from barista_ui.schedule.language import parse_time
from barista_ui.schedule.store import Memory
from data.db import session_factory
from data.ops_tables import ScheduleOverride, SchedulerAction
from k8s.gateway import ClusterGateway
from k8s.manifests import ORIGINAL_REPLICAS
from tests.conftest import base_record
from tests.k8s_fixtures import sim  # noqa: F401
from tests.schedule.office_hours import payments_office_hours

CREATED = parse_time("2026-11-01T00:00:00Z")
NIGHT = parse_time("2026-11-24T19:00:00Z")  # Tuesday, after Mon-Fri 08:00-18:00 UTC
NEXT_MORNING = parse_time("2026-11-25T08:00:00Z")
KEY = ("ml-prod", "fraud-scorer")
DOWN = Decision("down", "team", "", None)
UP_ = Decision("up", "team", "", None)


@pytest.mark.parametrize(
    ("state", "memory", "replicas", "expected"),
    [
        ("down", Memory("up", None), 3, "scale-down"),
        ("down", Memory("up", None), 0, "note-down"),
        ("down", Memory("down", 3), 0, "none"),
        ("down", Memory("down", 3), 2, "keep-manual"),
        ("up", Memory("down", 3), 0, "scale-up"),
        ("up", Memory("down", 3), 2, "already-up"),
        ("up", Memory("up", None), 3, "none"),
    ],
)
def test_step_names_the_write_a_transition_needs(state, memory, replicas, expected) -> None:
    assert step(state, memory, replicas, 0) == expected


def test_the_annotation_is_the_truth_the_memory_caches() -> None:
    annotated = LiveDeployment(0, "7", {ORIGINAL_REPLICAS: "4"})
    plain = LiveDeployment(2, "7", {})
    assert recovered(Memory("up", None), annotated) == Memory("down", 4)
    assert recovered(Memory("down", 3), annotated) == Memory("down", 4)
    scaled_by_hand = LiveDeployment(2, "8", {ORIGINAL_REPLICAS: "4"})
    assert recovered(Memory("up", None), scaled_by_hand) == Memory("down", 4)
    assert recovered(Memory("up", None), plain) == Memory("up", None)
    assert recovered(Memory("down", 3), plain) == Memory("up", None)  # the restore landed


@pytest.fixture
def fleet(engine, sim):  # noqa: F811
    new = session_factory(engine)
    registry = RegistryService(new, clock=lambda: CREATED)
    gateway = ClusterGateway(sim.api_client(), backoff_base_s=0.01)
    sched = SchedulerEngine(new, registry, gateway, clock=lambda: NIGHT)
    payments_office_hours(sched)

    def add(name: str = "fraud-scorer", replicas: int = 3):
        rec = registry.create(base_record(name=name, replicas=replicas), actor="ana", source="ui")
        gateway.apply(rec.to_file_dict(), rec.spec.replicas)
        return rec

    return sched, gateway, add, new


def test_a_snapshot_is_read_only_and_not_consumed_by_acting(fleet) -> None:
    sched, gateway, add, _ = fleet
    rec = add()
    snapshot = live_snapshot([KEY], None, gateway)
    entry = snapshot[KEY]
    assert entry.replicas == 3 and not needs_action(rec, UP_, Memory("up", None), entry)
    with pytest.raises(TypeError):
        snapshot[KEY] = entry  # type: ignore[index]
    action = sched.transitions.act(rec, DOWN, NIGHT, None, snapshot)
    assert action is not None and action.action == "scale-down"
    assert snapshot[KEY] is entry  # the pass's view stays whole for every worker


def test_a_stale_snapshot_reads_again_instead_of_taking_a_manual_scale(fleet, sim) -> None:  # noqa: F811
    """A worker acting on a snapshot taken before another pass scaled the model down sees
    3 replicas and memory 'down': it must not take that for a manual scale-up."""
    sched, gateway, add, new = fleet
    rec = add(replicas=3)
    stale = live_snapshot([KEY], None, gateway)
    (down,) = sched.reconcile(NIGHT)  # another pass acts first
    assert down.action == "scale-down"
    sim.reset_request_log()
    assert sched.transitions.act(rec, DOWN, NIGHT, None, stale) is None
    dep = sim.get_object("Deployment", *KEY)
    assert dep["spec"]["replicas"] == 0
    assert dep["metadata"]["annotations"][ORIGINAL_REPLICAS] == "3"
    assert sched.memory(KEY) == Memory("down", 3)
    with new() as s:
        assert s.exec(select(ScheduleOverride)).all() == []
        assert [a.action for a in s.exec(select(SchedulerAction)).all()] == ["scale-down"]


def test_overlapping_passes_act_once_per_model(fleet, sim) -> None:  # noqa: F811
    sched, _, add, new = fleet
    names = [f"model-{i}" for i in range(6)]
    for i, name in enumerate(names):
        add(name, replicas=1 + i % 3)

    def overlapping(now) -> list:
        start = threading.Barrier(3)
        results: list = []

        def run() -> None:
            start.wait()
            results.extend(sched.reconcile(now))

        threads = [threading.Thread(target=run) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        return results

    downs = overlapping(NIGHT)
    assert sorted(a.name for a in downs) == names
    assert {a.action for a in downs} == {"scale-down"}
    ups = overlapping(NEXT_MORNING + timedelta(minutes=1))
    assert sorted(a.name for a in ups) == names
    assert {(a.action, a.ok) for a in ups} == {("scale-up", True)}
    for i, name in enumerate(names):
        assert sim.get_object("Deployment", "ml-prod", name)["spec"]["replicas"] == 1 + i % 3
    with new() as s:
        assert s.exec(select(ScheduleOverride)).all() == []

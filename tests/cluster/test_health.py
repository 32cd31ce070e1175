"""Health apart from sync, from the watch of the simulator: an image that cannot be pulled is
Degraded (never green), a rollout under way is Progressing with its pod counts, a model held
down by the schedule is Suspended, a deleted Deployment is Missing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from barista_ui.cluster.status import FleetStatus, StatusRow
from barista_ui.records.replicas import desired_replicas
from components.models.rows import live_fields
from k8s.live import LiveState
from k8s.manifests import ORIGINAL_REPLICAS
from tests.cluster.reconcile_fixtures import Wired, wire
from tests.conftest import base_record
from tests.k8s_fixtures import eventually, fast_simulator

NS, NAME = "ml-prod", "fraud-scorer"
KEY = (NS, NAME)


@pytest.fixture
def slow_sim():
    """Pods take a while to start, so a rollout can be seen under way."""
    s = fast_simulator(speed=1.0, pod_schedule_delay_s=0.05, pod_start_delay_s=1.5)
    yield s
    s.stop()


def watch(w: Wired, sim) -> LiveState:
    live = LiveState(sim.api_client(), coalesce_s=0.01)
    live.start()
    live.wait_until(lambda s: s.synced, 10)
    w.reconciler.live = live
    return live


def row(w: Wired, live: LiveState) -> StatusRow:
    rec = w.registry.get(NAME, NS)
    return FleetStatus(desired_replicas, live, w.reconciler.state).row(rec)


@pytest.fixture
def setup(registry, slow_sim) -> Iterator[tuple[Wired, LiveState, object]]:
    w = wire(registry, slow_sim.api_client())
    live = watch(w, slow_sim)
    yield w, live, slow_sim
    live.stop()
    w.reconciler.stop()


def test_an_image_that_cannot_be_pulled_is_degraded_and_never_green(setup) -> None:
    w, live, _ = setup
    w.registry.create(
        base_record(image="registry.example.com/fraud-scorer:doesnotexist"),
        actor="ana",
        source="ui",
    )
    assert w.reconciler.reconcile_now(KEY).ok
    r = eventually(lambda: (x := row(w, live)).health == "Degraded" and x, 15, "Degraded")
    assert r.status == "Synced"  # sync and health are apart: the record is applied, pods fail
    assert "ImagePullBackOff" in r.health_msg or "ErrImagePull" in r.health_msg
    fields = live_fields(w.registry.get(NAME, NS), r)
    assert fields["health"] == "Degraded" and fields["health_colour"] == "negative"


def test_a_rollout_is_progressing_with_new_and_old_counts_then_healthy(setup) -> None:
    w, live, _ = setup
    w.registry.create(base_record(replicas=2), actor="ana", source="ui")
    assert w.reconciler.reconcile_now(KEY).ok
    eventually(lambda: row(w, live).health == "Healthy", 20, "Healthy at first")
    w.registry.set_fields(
        NS, NAME, image="registry.example.com/fraud-scorer:1.5.0", actor="ana", source="ui"
    )
    assert w.reconciler.reconcile_now(KEY).ok
    r = eventually(lambda: (x := row(w, live)).health == "Progressing" and x, 10, "Progressing")
    assert "new ready" in r.health_msg and "/2" in r.health_msg
    eventually(lambda: row(w, live).health == "Healthy", 30, "Healthy after the rollout")


def test_held_down_by_the_schedule_is_suspended_and_switched_off_too(setup) -> None:
    w, live, _ = setup
    w.registry.create(base_record(replicas=1), actor="ana", source="ui")
    assert w.reconciler.reconcile_now(KEY).ok
    eventually(lambda: row(w, live).health == "Healthy", 20, "Healthy at first")
    dep = w.gateway.get_deployment(NS, NAME)
    w.gateway.patch_replicas_and_annotations(
        NS, NAME, 0, {ORIGINAL_REPLICAS: "1"}, dep["metadata"]["resourceVersion"]
    )
    r = eventually(lambda: (x := row(w, live)).health == "Suspended" and x, 10, "Suspended")
    assert "schedule" in r.health_msg
    w.registry.set_enabled(NS, NAME, False, actor="ana", source="ui")
    r = eventually(lambda: (x := row(w, live)).health == "Suspended" and x, 10, "still Suspended")
    assert "switched off" in r.health_msg


def test_a_deleted_deployment_is_missing(setup) -> None:
    w, live, sim = setup
    w.registry.create(base_record(), actor="ana", source="ui")
    assert w.reconciler.reconcile_now(KEY).ok
    eventually(lambda: row(w, live).health != "Missing", 10, "seen")
    w.gateway.apps.delete_namespaced_deployment(NAME, NS)
    r = eventually(lambda: (x := row(w, live)).health == "Missing" and x, 10, "Missing")
    assert r.status == "Missing"

"""The reconciler: backoff with jitter on an injected clock, one apply per model at a time,
idempotent passes, and changes written by another process picked up by the resync."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from barista_ui.cluster.reconciler import Backoff, Reconciler
from barista_ui.records.replicas import desired_replicas
from k8s.gateway import ClusterGateway, ConflictError
from tests.apprunner import free_port
from tests.cluster.reconcile_fixtures import wire, wired  # noqa: F401
from tests.conftest import base_record
from tests.k8s_fixtures import eventually, sim  # noqa: F401

KEY = ("ml-prod", "fraud-scorer")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def unreachable_gateway() -> ClusterGateway:
    from kubernetes import client

    cfg = client.Configuration()
    cfg.host = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    cfg.retries = 0
    return ClusterGateway(client.ApiClient(cfg), max_retries=0)


def test_backoff_doubles_with_jitter_and_is_capped(registry) -> None:
    registry.create(base_record(), actor="ana", source="ui")
    clock = FakeClock()
    jitter = iter([0.5, 0.5, 0.5, 0.0, 0.99, 0.5, 0.5])
    reconciler = Reconciler(
        registry,
        unreachable_gateway(),
        desired_replicas,
        backoff=Backoff(base_s=2.0, max_s=10.0, rng=lambda: next(jitter)),
        clock=clock,
        now=lambda: T0,
    )
    delays = []
    for _ in range(5):
        assert not reconciler.reconcile_now(KEY).ok
        state = reconciler.state(KEY)
        assert state.state == "Retrying" and "unreachable" in state.error
        delays.append((state.next_attempt - T0).total_seconds())
    # 2·2^(n-1) capped at 10, times (0.5 + jitter)
    assert delays == [2.0, 4.0, 8.0, 5.0, 10.0 * 1.49]
    assert reconciler.state(KEY).attempts == 5


def test_a_failed_model_is_retried_when_due_on_the_clock(registry) -> None:
    registry.create(base_record(), actor="ana", source="ui")
    clock = FakeClock()
    reconciler = Reconciler(
        registry,
        unreachable_gateway(),
        desired_replicas,
        backoff=Backoff(base_s=30.0, max_s=60.0, rng=lambda: 0.5),
        clock=clock,
        workers=1,
        resync_s=0.05,
    )
    reconciler.submit(KEY)
    assert reconciler.state(KEY).state == "Pending"
    with reconciler:
        eventually(lambda: reconciler.state(KEY).state == "Retrying")
        time.sleep(0.3)  # not due yet: no second attempt
        assert reconciler.state(KEY).attempts == 1
        clock.t += 31
        eventually(lambda: reconciler.state(KEY).attempts == 2, what="retried once due")


def test_idempotent_second_pass_makes_no_writes(wired, sim) -> None:  # noqa: F811
    for i in range(3):
        wired.registry.create(base_record(name=f"m{i}"), actor="ana", source="ui")
    first = wired.reconciler.reconcile_all()
    assert all(r.ok for r in first) and all(r.writes >= 2 for r in first)
    sim.reset_request_log()
    second = wired.reconciler.reconcile_all()
    assert [r.writes for r in second] == [0, 0, 0]
    assert {r.message for r in second} == {"already in sync"}
    assert sim.write_count() == 0


class CountingGateway(ClusterGateway):
    """The real gateway, counting applies of one model running at the same time."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.running: dict[tuple[str, str], int] = {}
        self.most_at_once = 0
        self.applies = 0
        self._count_lock = threading.Lock()

    def apply(self, record, replicas):
        key = (record["namespace"], record["name"])
        with self._count_lock:
            self.running[key] = self.running.get(key, 0) + 1
            self.most_at_once = max(self.most_at_once, self.running[key])
            self.applies += 1
        try:
            time.sleep(0.02)
            return super().apply(record, replicas)
        finally:
            with self._count_lock:
                self.running[key] -= 1


def test_one_apply_in_flight_per_model_and_the_last_change_wins(registry, sim) -> None:  # noqa: F811
    gw = CountingGateway(sim.api_client(), backoff_base_s=0.01)
    reconciler = Reconciler(registry, gw, desired_replicas, workers=4, resync_s=0.05)
    registry.create(base_record(), actor="ana", source="ui")
    with reconciler:

        def hammer() -> None:
            for _ in range(10):
                reconciler.submit(KEY)
                time.sleep(0.005)

        threads = [threading.Thread(target=hammer) for _ in range(4)]
        threads.append(threading.Thread(target=lambda: reconciler.reconcile_now(KEY)))
        for t in threads:
            t.start()
        registry.set_replicas("ml-prod", "fraud-scorer", 4, actor="ana", source="cli")
        reconciler.submit(KEY)
        for t in threads:
            t.join()
        eventually(lambda: reconciler.state(KEY) is None and gw.running.get(KEY) == 0)
    assert gw.most_at_once == 1
    assert 2 <= gw.applies < 30  # of 42 requests: those while queued or in flight coalesce
    assert sim.get_object("Deployment", "ml-prod", "fraud-scorer")["spec"]["replicas"] == 4


def test_resync_applies_changes_written_by_another_process(wired, sim) -> None:  # noqa: F811
    wired.reconciler.resync_s = 0.05
    with wired.reconciler:
        # the CLI writes straight to the database; this process's reconciler was not told
        wired.registry.create(base_record(), actor="cli-user", source="cli")
        eventually(
            lambda: sim.get_object("Deployment", "ml-prod", "fraud-scorer"),
            what="the resync picked up the new record",
        )
        wired.registry.delete("ml-prod", "fraud-scorer", actor="cli-user", source="cli")
        eventually(lambda: sim.get_object("Deployment", "ml-prod", "fraud-scorer") is None)


def test_watch_reports_a_deleted_deployment_and_it_is_recreated(wired, sim) -> None:  # noqa: F811
    from kubernetes import client

    from k8s.live import LiveState

    wired.registry.create(base_record(), actor="ana", source="ui")
    assert wired.reconciler.reconcile_now(KEY).ok
    live = LiveState(sim.api_client(), coalesce_s=0.01, on_change=wired.reconciler.observe)
    wired.reconciler.live = live
    live.start()
    try:
        live.wait_until(lambda s: s.synced, 10)
        with wired.reconciler:
            client.AppsV1Api(sim.api_client()).delete_namespaced_deployment(
                "fraud-scorer", "ml-prod"
            )
            eventually(
                lambda: sim.get_object("Deployment", "ml-prod", "fraud-scorer"),
                what="the missing Deployment recreated",
            )
    finally:
        live.stop()


def test_stop_leaves_no_threads(registry, sim) -> None:  # noqa: F811
    w = wire(registry, sim.api_client())
    before = {t.name for t in threading.enumerate()}
    w.reconciler.start()
    assert any(t.name.startswith("reconcile") for t in threading.enumerate())
    w.reconciler.stop()
    after = {t.name for t in threading.enumerate() if t.name.startswith("reconcile")}
    assert after <= {n for n in before if n.startswith("reconcile")}


def test_the_count_follows_the_schedulers_annotation_on_the_object_written(
    registry,
    sim,  # noqa: F811
) -> None:
    """An apply racing the scheduler cannot undo its write: whether the model is held down is
    read from the Deployment being written (the scheduler's annotation), not from a count
    worked out before the scheduler acted."""
    from k8s.manifests import ORIGINAL_REPLICAS

    registry.create(base_record(replicas=3), actor="ana", source="ui")
    api = sim.api_client()
    gw = ClusterGateway(api, backoff_base_s=0.01, max_retries=2)
    # The database still says "held down" (stale), the cluster was just restored to 3.
    stale_down = Reconciler(registry, gw, lambda spec: 0)
    assert stale_down.reconcile_now(KEY).ok  # creates it at 0 (no object yet: the memory counts)
    gw.scale(*KEY, 3)
    assert stale_down.reconcile_now(KEY).ok
    assert gw.read_scale(*KEY)["spec"]["replicas"] == 3  # the restore stands
    # The scheduler holds it down (annotation on the object): an apply keeps it down.

    def hold_down() -> bool:
        live = gw.get_deployment(*KEY)
        assert live is not None
        try:  # conditional, as the scheduler writes (the controllers may bump the version)
            gw.patch_replicas_and_annotations(
                *KEY, 0, {ORIGINAL_REPLICAS: "3"}, live["metadata"]["resourceVersion"]
            )
        except ConflictError:
            return False
        return True

    eventually(hold_down, what="the scheduler's hold-down patch")
    fresh_up = Reconciler(registry, gw, lambda spec: 3)
    assert fresh_up.reconcile_now(KEY).ok
    assert gw.read_scale(*KEY)["spec"]["replicas"] == 0


def test_a_saved_change_is_applied_before_background_work(registry) -> None:
    """A click must not wait behind the start-up apply of the whole fleet."""
    for i in range(5):
        registry.create(base_record(name=f"m{i}"), actor="ana", source="ui")
    reconciler = Reconciler(registry, unreachable_gateway(), desired_replicas)
    assert reconciler.submit_all() == 5  # background: the start-up apply, in name order
    reconciler.submit(("ml-prod", "m3"))  # a saved change
    order = [reconciler._take() for _ in range(5)]
    assert order[0] == ("ml-prod", "m3")
    assert order[1:] == [("ml-prod", f"m{i}") for i in (0, 1, 2, 4)]

"""The watch's compact per-model view, through the official client against the simulator: it
gives the same drift and status answers as the whole objects, reports a burst once per model
per tick, skips writes that change nothing shown, and keeps a bounded number of objects a model."""

from __future__ import annotations

import gc
import json
import threading
import time
from collections import deque
from datetime import UTC, datetime
from typing import Any

import pytest
from kubernetes import client

from barista_ui.cluster.status import FleetStatus, sync_status
from barista_ui.records.registry import ModelRecord
from barista_ui.records.replicas import desired_replicas
from barista_ui.records.spec import validate_record
from k8s.drift import LiveObjects, differences
from k8s.gateway import ClusterGateway
from k8s.live import LiveState
from tests.conftest import base_record
from tests.k8s_fixtures import eventually, sim  # noqa: F401

NS = "ml-prod"
HAND = "kubectl-edit"


class Recorder:
    def __init__(self) -> None:
        self.calls: list[set[tuple[str, str]]] = []
        self.lock = threading.Lock()

    def __call__(self, keys: set[tuple[str, str]]) -> None:
        with self.lock:
            self.calls.append(set(keys))

    def since(self, n: int) -> list[set[tuple[str, str]]]:
        with self.lock:
            return self.calls[n:]


def spec(name: str, **overrides: Any):
    return validate_record(base_record(name=name, **overrides))


def watch(sim, coalesce_s: float = 0.01, **kw: Any) -> LiveState:  # noqa: F811
    live = LiveState(sim.api_client(), coalesce_s=coalesce_s, **kw)
    live.start()
    live.wait_until(lambda s: s.synced, 10)
    return live


def deploy(sim, names: list[str], **overrides: Any) -> dict[str, Any]:  # noqa: F811
    gw = ClusterGateway(sim.api_client(), backoff_base_s=0.01)
    specs = {n: spec(n, **overrides) for n in names}
    for s in specs.values():
        gw.apply(s.to_file_dict(), 2)
    return specs


def whole(sim, name: str) -> LiveObjects:  # noqa: F811
    """The model's objects as the API serves them, whole (the JSON as served)."""
    api = sim.api_client()
    apps, core = client.AppsV1Api(api), client.CoreV1Api(api)
    auto = client.AutoscalingV2Api(api)

    def read(fn) -> dict | None:
        try:
            return json.loads(fn(name, NS, _preload_content=False).data)
        except client.ApiException as exc:
            if exc.status == 404:
                return None
            raise

    return LiveObjects(
        read(apps.read_namespaced_deployment),
        read(core.read_namespaced_service),
        read(auto.read_namespaced_horizontal_pod_autoscaler),
    )


def test_compact_view_gives_the_drift_and_status_of_the_whole_objects(sim) -> None:  # noqa: F811
    specs = deploy(sim, ["clean", "image", "env", "port", "hpa"])
    api = sim.api_client()
    apps, core = client.AppsV1Api(api), client.CoreV1Api(api)

    def container(**fields: Any) -> dict:
        return {"spec": {"template": {"spec": {"containers": [{"name": "model", **fields}]}}}}

    image = container(image="registry.example.com/fraud-scorer:9.9")
    apps.patch_namespaced_deployment("image", NS, image, field_manager=HAND)
    env = container(env=[{"name": "DEBUG", "value": "1"}])
    apps.patch_namespaced_deployment("env", NS, env, field_manager=HAND)
    ports = {"spec": {"ports": [{"name": "http", "port": 9090, "targetPort": 8080}]}}
    core.patch_namespaced_service("port", NS, ports, field_manager=HAND)
    specs["hpa"] = spec(
        "hpa", autoscaling={"enabled": True, "min": 2, "max": 5, "target_cpu_percent": 70}
    )
    live = watch(sim)
    try:
        for name, s in specs.items():
            key = (NS, name)
            eventually(lambda k=key: (live.snapshot(k) or _Empty()).drift_parts[1], 10, name)
            eventually(lambda k=key: (live.snapshot(k) or _Empty()).ready == 2, 20, name)
            full = differences(s.to_file_dict(), whole(sim, name))
            compact = differences(s.to_file_dict(), live.snapshot(key).objects)
            assert compact == full, name
            snap = live.snapshot(key)
            assert sync_status(s, 2, snap).status == ("Synced" if name == "clean" else "OutOfSync")
        drifted = differences(specs["image"].to_file_dict(), live.snapshot((NS, "image")).objects)
        assert [(d.path, d.manager) for d in drifted] == [
            ("spec.template.spec.containers[model].image", HAND)
        ]
        now = datetime.now(UTC)
        records = [ModelRecord(s, 1, 1, now, now) for s in specs.values()]
        rows = FleetStatus(desired_replicas, live).rows(records)
        assert {k[1]: r.status for k, r in rows.items()} == {
            "clean": "Synced",
            "image": "OutOfSync",
            "env": "OutOfSync",
            "port": "OutOfSync",
            "hpa": "OutOfSync",
        }
        assert rows[(NS, "clean")].health == "Healthy" and rows[(NS, "clean")].ready == 2
    finally:
        live.stop()


class _Empty:
    drift_parts = (None, None, None)
    ready = 0


def test_a_burst_is_reported_once_per_model_per_tick(sim) -> None:  # noqa: F811
    deploy(sim, ["a", "b", "c"])
    seen = Recorder()
    live = watch(sim, coalesce_s=0.5, on_change=seen)
    try:
        keys = {(NS, n) for n in "abc"}
        eventually(lambda: all((live.snapshot(k) or _Empty()).ready == 2 for k in keys), 20)
        time.sleep(1.0)  # the start's reports are out
        before, marks = len(seen.calls), live.version
        pods = [p["metadata"]["name"] for p in sim.list_objects("Pod", NS)]
        t0 = time.monotonic()
        for ready in (False, True, False, True, False, True):
            for pod in pods:
                sim.set_pod_ready(NS, pod, ready)
        burst_s = time.monotonic() - t0
        eventually(lambda: all(live.snapshot(k).ready == 2 for k in keys), 10, "ready again")
        time.sleep(1.2)  # the last tick's report is out
        reports = seen.since(before)
        assert live.version - marks >= 18, "the watch saw every flip of every pod"
        assert keys <= set().union(*reports)
        # one report per tick (0.5 s), each model named once in it; not one per flip
        assert len(reports) <= (burst_s + 1.2) / 0.5 + 3, (len(reports), burst_s)
        assert len(reports) < (live.version - marks) / 3
    finally:
        live.stop()


def test_a_write_that_changes_nothing_shown_is_not_reported(sim) -> None:  # noqa: F811
    deploy(sim, ["quiet"])
    seen = Recorder()
    live = watch(sim, on_change=seen)
    try:
        key = (NS, "quiet")
        eventually(lambda: (live.snapshot(key) or _Empty()).ready == 2, 20)
        time.sleep(0.5)
        before = len(seen.calls)
        rv = live.snapshot(key).resource_version
        pod = sim.list_objects("Pod", NS)[0]["metadata"]["name"]
        core = client.CoreV1Api(sim.api_client())
        core.patch_namespaced_pod(pod, NS, {"metadata": {"annotations": {"x": "1"}}})
        apps = client.AppsV1Api(sim.api_client())
        apps.patch_namespaced_deployment("quiet", NS, {"metadata": {"labels": {"extra": "1"}}})
        eventually(lambda: live.snapshot(key).resource_version != rv, 5, "the new version kept")
        time.sleep(0.5)
        # the pod's annotation is not shown: no report; the label is (drift reads labels): one
        assert [k for k in seen.since(before) if key in k] == [{key}]
    finally:
        live.stop()


def reachable(root: object) -> int:
    """Objects reachable from ``root`` that it holds alone (not classes, functions, modules,
    or strings and numbers the interpreter shares)."""
    seen: set[int] = set()
    todo = deque([root])
    skip = (type, type(reachable), type(pytest))
    while todo:
        obj = todo.popleft()
        if id(obj) in seen or isinstance(obj, skip) or obj is None or isinstance(obj, bool):
            continue
        seen.add(id(obj))
        todo.extend(gc.get_referents(obj))
    return len(seen)


def test_memory_per_model_is_bounded(sim) -> None:  # noqa: F811
    deploy(sim, ["m1", "m2"])
    live = watch(sim)
    try:
        key = (NS, "m1")
        eventually(lambda: (live.snapshot(key) or _Empty()).ready == 2, 20)
        pods = [p["metadata"]["name"] for p in sim.list_objects("Pod", NS)]
        for _ in range(15):  # restarts: more events than a model keeps
            for pod in pods:
                sim.set_pod_ready(NS, pod, False)
                sim.set_pod_ready(NS, pod, True)
        eventually(lambda: live.snapshot(key).ready == 2, 10)
        time.sleep(0.5)
        model = live.snapshot(key)
        assert len(model.events) <= 20
        # a summary, two pods, up to 20 events and three compressed projections: no whole
        # object (a Deployment as parsed JSON alone is some 300 objects)
        held = reachable(model)
        assert held <= 20 + 2 * 12 + 20 * 8 + 40, held
        assert all(isinstance(p, bytes | None) for p in model.drift_parts)
    finally:
        live.stop()

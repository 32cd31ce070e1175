"""What keeps the simulator fast at fleet scale, checked for staying faithful: the incremental
managedFields diff gives what comparing flattened objects gives, a watch sees every transition
of many pods in order, and stored objects (shared by history, watches and lists) never change."""

from __future__ import annotations

import json
import random
import threading

from kubernetes import client, watch

from k8s.managed_fields import flatten
from k8s.simulator.api import BY_PLURAL
from k8s.simulator.field_diff import field_changes
from tests.k8s_fixtures import eventually, sim  # noqa: F401

NS = "fleet"
KEYS = ["name", "type", "port", "containerPort", "uid", "image", "status", "labels", "env"]
NAMES = [*KEYS, "containers", "conditions", "ports", "finalizers", "selector", "matchLabels"]


def _all_fields(obj: dict) -> dict:
    return {**flatten(obj), **flatten(obj, "status")}


def _value(rng: random.Random, depth: int = 0):
    roll = rng.random()
    if depth > 3 or roll < 0.3:
        return rng.choice([1, True, 0, "a", "b", None, False, "TCP", 80])
    if roll < 0.6:
        return {rng.choice(NAMES): _value(rng, depth + 1) for _ in range(rng.randint(0, 3))}
    if roll < 0.85:  # list items that may carry a merge key (or two items the same one)
        return [
            {rng.choice(KEYS[:5]): rng.choice("ab"), rng.choice(NAMES): _value(rng, depth + 1)}
            for _ in range(rng.randint(0, 3))
        ]
    return [_value(rng, depth + 1) for _ in range(rng.randint(0, 2))]


def _changed(rng: random.Random, value, depth: int = 0):
    if isinstance(value, dict) and value and rng.random() < 0.7:
        out = dict(value)
        key = rng.choice(list(out))
        if rng.random() < 0.2:
            del out[key]
        else:
            out[key] = _changed(rng, out[key], depth + 1)
        if rng.random() < 0.2:
            out[rng.choice(NAMES)] = _value(rng, depth + 1)
        return out
    if isinstance(value, list) and value and rng.random() < 0.6:
        out = list(value)
        i = rng.randrange(len(out))
        out[i] = _changed(rng, out[i], depth + 1)
        if rng.random() < 0.3:
            out.append(_value(rng, depth + 1))
        return out
    return _value(rng, depth)


def test_incremental_field_diff_matches_comparing_flattened_objects() -> None:
    rng = random.Random(15)
    for _ in range(3000):
        old = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p", "labels": _value(rng, 2), "finalizers": ["a", "b"]},
            "spec": {"containers": _value(rng, 1), "x": _value(rng, 1)},
            "status": {"conditions": _value(rng, 1), "phase": "Pending"},
        }
        new = {k: _changed(rng, v, 1) if k != "apiVersion" else v for k, v in old.items()}
        if not isinstance(new["metadata"], dict):
            continue
        before, after = _all_fields(old), _all_fields(new)
        want = (
            {p for p, v in after.items() if p not in before or before[p] != v},
            set(before) - set(after),
        )
        assert field_changes(old, new) == want, (json.dumps(old), json.dumps(new))
    assert field_changes(None, new)[0] == set(_all_fields(new))


def _deployment(i: int) -> dict:
    labels = {"model": f"m{i}"}
    return {
        "metadata": {"name": f"m{i}", "labels": labels},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "m", "image": f"registry.example.com/m:{i}"}]},
            },
        },
    }


def _ready(pod: dict) -> bool:
    return any(
        c["type"] == "Ready" and c["status"] == "True"
        for c in (pod.get("status") or {}).get("conditions") or []
    )


def test_watch_sees_every_pod_transition_in_order_while_a_fleet_starts(sim) -> None:  # noqa: F811
    api = sim.api_client()
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    core.create_namespace({"metadata": {"name": NS}})
    start = core.list_namespaced_pod(NS).metadata.resource_version
    events: list[tuple[str, dict]] = []
    done = threading.Event()

    def follow() -> None:
        w = watch.Watch()
        ready: set[str] = set()
        for ev in w.stream(
            core.list_namespaced_pod,
            NS,
            resource_version=start,
            timeout_seconds=60,
            deserialize=False,
        ):
            events.append((ev["type"], ev["object"]))
            (ready.add if _ready(ev["object"]) else ready.discard)(ev["object"]["metadata"]["name"])
            if len(ready) == 40:
                done.set()
                w.stop()

    threading.Thread(target=follow, daemon=True).start()
    for i in range(20):
        apps.create_namespaced_deployment(NS, _deployment(i))
    assert done.wait(60), f"{len(events)} pod events, not all 40 pods ready"
    versions = [int(o["metadata"]["resourceVersion"]) for _, o in events]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)
    by_pod: dict[str, list[dict]] = {}
    for etype, obj in events:
        by_pod.setdefault(obj["metadata"]["name"], []).append(obj)
        assert etype in ("ADDED", "MODIFIED")
    for name, seen in by_pod.items():  # Pending, bound to a node, then Running and Ready
        assert seen[0]["status"]["phase"] == "Pending" and not seen[0]["spec"].get("nodeName")
        assert seen[-1]["status"]["phase"] == "Running" and _ready(seen[-1]), name
        phases = [o["status"]["phase"] for o in seen]
        assert phases == sorted(phases, key=("Pending", "Running").index), phases
        # what the watch said last is what a read says now
        assert (
            core.read_namespaced_pod(name, NS).metadata.resource_version
            == seen[-1]["metadata"]["resourceVersion"]
        )
    for i in range(20):  # the controllers converged: every Deployment reports its ready pods
        eventually(
            lambda i=i: (
                (apps.read_namespaced_deployment(f"m{i}", NS).status.ready_replicas or 0) == 2
            ),
            what=f"m{i} ready",
        )


def test_stored_objects_never_change_after_they_are_written(sim) -> None:  # noqa: F811
    sim.api.create(BY_PLURAL["namespaces"], "", {"metadata": {"name": NS}})
    sim.api.create(BY_PLURAL["deployments"], NS, _deployment(1))
    eventually(lambda: len([p for p in sim.list_objects("Pod", NS) if _ready(p)]) == 2)
    with sim.store.lock:
        kept = [(entry, json.dumps(entry[3], sort_keys=True)) for entry in sim.store.history]
    pod = sim.list_objects("Pod", NS)[0]["metadata"]["name"]
    sim.set_pod_ready(NS, pod, False)  # writes through the status path
    sim.get_object("Pod", NS, pod)["status"]["phase"] = "changed by a reader"
    api = sim.api_client()
    client.AppsV1Api(api).patch_namespaced_deployment_scale("m1", NS, {"spec": {"replicas": 3}})
    eventually(lambda: len(sim.list_objects("Pod", NS)) == 3)
    client.CoreV1Api(api).list_namespaced_pod(NS, limit=1)
    for entry, text in kept:
        assert json.dumps(entry[3], sort_keys=True) == text, entry[:3]

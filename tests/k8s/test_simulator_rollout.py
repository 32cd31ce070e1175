"""Rollouts on the simulator as the Deployment controller runs them: maxSurge/maxUnavailable
respected throughout, ReplicaSets kept with their revision up to revisionHistoryLimit, and a
rollback reusing the old ReplicaSet. Through the official client over HTTP."""

from __future__ import annotations

import copy

import pytest
from kubernetes import client

from tests.k8s.test_simulator import deployment
from tests.k8s_fixtures import eventually, fast_simulator

NS = "ml"
REVISION = "deployment.kubernetes.io/revision"


@pytest.fixture
def sim():
    s = fast_simulator(pod_start_delay_s=0.3)  # slow enough to see the rollout in steps
    yield s
    s.stop()


@pytest.fixture
def apps(sim):
    api = sim.api_client()
    client.CoreV1Api(api).create_namespace({"metadata": {"name": NS}})
    return client.AppsV1Api(api)


def ready(pod: dict) -> bool:
    conditions = (pod.get("status") or {}).get("conditions") or []
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)


def rolled_out(sim, image: str, replicas: int) -> bool:
    pods = sim.list_objects("Pod", NS)
    images = {p["spec"]["containers"][0]["image"] for p in pods}
    return len(pods) == replicas and images == {image} and all(ready(p) for p in pods)


def set_image(apps, image: str) -> None:
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "model", "image": image}]}}}}
    apps.patch_namespaced_deployment("m1", NS, patch)


def test_rolling_update_respects_max_surge_and_max_unavailable(sim, apps) -> None:
    body = deployment("m1", replicas=4)
    body["spec"]["strategy"] = {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
    }
    apps.create_namespaced_deployment(NS, body)
    eventually(lambda: rolled_out(sim, "registry.example.com/m:1", 4), what="first rollout")
    set_image(apps, "registry.example.com/m:2")
    samples = []

    def sample() -> bool:
        pods = sim.list_objects("Pod", NS)
        samples.append((len(pods), sum(1 for p in pods if ready(p))))
        return rolled_out(sim, "registry.example.com/m:2", 4)

    eventually(sample, timeout=20, what="the rolling update")
    assert max(total for total, _ in samples) <= 5  # replicas + maxSurge
    assert min(up for _, up in samples) >= 4  # replicas - maxUnavailable
    assert any(total == 5 for total, _ in samples)  # it did surge: one new pod at a time


def test_history_up_to_the_limit_and_rollback_reuses_the_replicaset(sim, apps) -> None:
    body = deployment("m1", replicas=1)
    body["spec"]["revisionHistoryLimit"] = 1
    apps.create_namespaced_deployment(NS, body)
    eventually(lambda: rolled_out(sim, "registry.example.com/m:1", 1), what="first rollout")
    for image in ("registry.example.com/m:2", "registry.example.com/m:3"):
        set_image(apps, image)
        eventually(lambda image=image: rolled_out(sim, image, 1), what=f"rollout of {image}")

    def replicasets() -> dict[str, dict]:
        return {
            r["metadata"]["annotations"][REVISION]: r for r in sim.list_objects("ReplicaSet", NS)
        }

    rs = eventually(
        lambda: replicasets() if len(replicasets()) == 2 else None, what="history pruned"
    )
    assert set(rs) == {"2", "3"}  # revision 1 went: one old ReplicaSet is kept
    assert rs["2"]["spec"]["replicas"] == 0 and rs["3"]["spec"]["replicas"] == 1
    dep = apps.read_namespaced_deployment("m1", NS)
    assert dep.metadata.annotations[REVISION] == "3"
    # roll back as kubectl does: the old template (without pod-template-hash) back on the Deployment
    template = copy.deepcopy(rs["2"]["spec"]["template"])
    del template["metadata"]["labels"]["pod-template-hash"]
    template["metadata"]["creationTimestamp"] = None  # a typed client sends it so
    apps.patch_namespaced_deployment(
        "m1",
        NS,
        [{"op": "replace", "path": "/spec/template", "value": template}],
        _content_type="application/json-patch+json",
    )
    eventually(lambda: rolled_out(sim, "registry.example.com/m:2", 1), what="the rollback")
    after = replicasets()
    assert after["4"]["metadata"]["name"] == rs["2"]["metadata"]["name"]  # reused, new revision
    assert apps.read_namespaced_deployment("m1", NS).metadata.annotations[REVISION] == "4"

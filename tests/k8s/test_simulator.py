"""The cluster simulator, through the official kubernetes client over HTTP."""

from __future__ import annotations

import json
import threading

import pytest
from kubernetes import client, config, watch
from kubernetes.client import ApiException

from k8s.simulator import DEFAULT_NODES
from tests.k8s_fixtures import eventually, sim  # noqa: F401

NS = "ml"


def deployment(
    name: str = "m1",
    replicas: int = 2,
    image: str = "registry.example.com/m:1",
    cpu: str = "500m",
    gpu: int = 0,
    labels: dict | None = None,
) -> dict:
    lbl = {"app": name, **(labels or {})}
    requests = {"cpu": cpu, "memory": "1Gi"}
    limits = {}
    if gpu:
        requests["nvidia.com/gpu"] = str(gpu)
        limits["nvidia.com/gpu"] = str(gpu)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": lbl},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": lbl},
                "spec": {
                    "containers": [
                        {
                            "name": "model",
                            "image": image,
                            "resources": {
                                "requests": requests,
                                **({"limits": limits} if limits else {}),
                            },
                        }
                    ]
                },
            },
        },
    }


@pytest.fixture
def apis(sim):  # noqa: F811
    api = sim.api_client()
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    core.create_namespace({"metadata": {"name": NS}})
    return core, apps, client.AutoscalingV2Api(api)


def status_of(exc: ApiException) -> dict:
    return json.loads(exc.body)


def test_version_discovery_and_auth(sim, tmp_path) -> None:  # noqa: F811
    api = sim.api_client()
    assert client.VersionApi(api).get_code().git_version.startswith("v1.31")
    groups = {g.name for g in client.ApisApi(api).get_api_versions().groups}
    assert {"apps", "autoscaling", "coordination.k8s.io"} <= groups
    resources = client.AppsV1Api(api).get_api_resources()
    assert "deployments/scale" in {r.name for r in resources.resources}
    cfg = client.Configuration()
    cfg.host = sim.url
    cfg.ssl_ca_cert = str(tmp_path / "ca.crt")
    (tmp_path / "ca.crt").write_text(sim.ca_pem)
    with pytest.raises(ApiException) as info:
        client.CoreV1Api(client.ApiClient(cfg)).list_namespace()
    assert info.value.status == 401


def test_crud_resource_versions_and_conflicts(apis) -> None:
    core, apps, _ = apis
    created = apps.create_namespaced_deployment(NS, deployment())
    assert created.metadata.uid and created.metadata.generation == 1
    rv1 = created.metadata.resource_version
    with pytest.raises(ApiException) as dup:
        apps.create_namespaced_deployment(NS, deployment())
    assert dup.value.status == 409 and status_of(dup.value)["reason"] == "AlreadyExists"
    # status writes by the controllers bump the resourceVersion too: let them settle first
    eventually(lambda: (apps.read_namespaced_deployment("m1", NS).status.ready_replicas or 0) == 2)
    body = apps.read_namespaced_deployment("m1", NS)
    body.spec.replicas = 3
    updated = apps.replace_namespaced_deployment("m1", NS, body)
    assert int(updated.metadata.resource_version) > int(rv1)
    assert updated.metadata.generation == 2
    body.metadata.resource_version = rv1  # stale
    with pytest.raises(ApiException) as stale:
        apps.replace_namespaced_deployment("m1", NS, body)
    st = status_of(stale.value)
    assert stale.value.status == 409 and st["reason"] == "Conflict"
    assert "the object has been modified" in st["message"]
    with pytest.raises(ApiException) as missing:
        apps.read_namespaced_deployment("nope", NS)
    assert missing.value.status == 404
    assert status_of(missing.value)["message"] == 'deployments.apps "nope" not found'
    with pytest.raises(ApiException) as no_ns:
        apps.create_namespaced_deployment("no-such-ns", deployment())
    assert status_of(no_ns.value)["message"] == 'namespaces "no-such-ns" not found'


def test_invalid_objects_get_422_with_causes(apis) -> None:
    _, apps, hpa = apis
    bad = deployment(name="Bad_Name")
    with pytest.raises(ApiException) as info:
        apps.create_namespaced_deployment(NS, bad)
    assert info.value.status == 422
    assert status_of(info.value)["details"]["causes"][0]["field"] == "metadata.name"
    over = deployment(name="over")
    over["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"] = {"cpu": "100m"}
    with pytest.raises(ApiException) as info:
        apps.create_namespaced_deployment(NS, over)
    cause = status_of(info.value)["details"]["causes"][0]
    assert cause["field"] == "spec.template.spec.containers[0].resources.requests"
    assert "must be less than or equal to cpu limit" in cause["message"]
    zero_min = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "h"},
        "spec": {
            "minReplicas": 0,
            "maxReplicas": 3,
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "m1"},
        },
    }
    with pytest.raises(ApiException) as info:
        hpa.create_namespaced_horizontal_pod_autoscaler(NS, zero_min)
    assert info.value.status == 422 and "spec.minReplicas" in info.value.body


def conditional_scale(apps, name: str, replicas: int) -> str:
    """Read the scale, then replace it conditionally on that read, as a careful client does: a
    controller's status write may land in between (409), so read again. Returns the
    resourceVersion the successful write was conditional on."""

    def attempt() -> str | None:
        scale = apps.read_namespaced_deployment_scale(name, NS)
        scale.spec.replicas = replicas
        try:
            written = apps.replace_namespaced_deployment_scale(name, NS, scale)
        except ApiException as exc:
            if exc.status == 409:
                return None
            raise
        assert written.spec.replicas == replicas
        return scale.metadata.resource_version

    return eventually(attempt, what=f"a conditional scale of {name} to {replicas}")


def test_patches_and_scale_subresource(apis) -> None:
    _, apps, _ = apis
    apps.create_namespaced_deployment(NS, deployment())
    apps.patch_namespaced_deployment(
        "m1",
        NS,
        {"metadata": {"annotations": {"a": "1"}}},
        _content_type="application/merge-patch+json",
    )
    smp = {
        "spec": {
            "template": {"spec": {"containers": [{"name": "model", "image": "r.example.com/m:2"}]}}
        }
    }
    patched = apps.patch_namespaced_deployment("m1", NS, smp)  # strategic merge by container name
    c = patched.spec.template.spec.containers
    assert (
        len(c) == 1
        and c[0].image == "r.example.com/m:2"
        and c[0].resources.requests["cpu"] == "500m"
    )
    assert patched.metadata.annotations["a"] == "1"
    # let the controllers settle: their status writes bump the resourceVersion too
    eventually(lambda: (apps.read_namespaced_deployment("m1", NS).status.ready_replicas or 0) == 2)
    scale = apps.read_namespaced_deployment_scale("m1", NS)
    assert scale.spec.replicas == 2 and scale.status.selector == "app=m1"
    old_rv = conditional_scale(apps, "m1", 4)
    scale.metadata.resource_version = old_rv
    with pytest.raises(ApiException) as info:
        apps.replace_namespaced_deployment_scale("m1", NS, scale)
    assert info.value.status == 409
    stale_patch = {"metadata": {"resourceVersion": old_rv}, "spec": {"replicas": 1}}
    with pytest.raises(ApiException):
        apps.patch_namespaced_deployment(
            "m1", NS, stale_patch, _content_type="application/merge-patch+json"
        )
    assert apps.read_namespaced_deployment("m1", NS).spec.replicas == 4


def test_selectors_and_paging(apis) -> None:
    _, apps, _ = apis
    for i in range(7):
        apps.create_namespaced_deployment(
            NS, deployment(f"d{i}", labels={"tier": "a" if i < 3 else "b"})
        )
    assert len(apps.list_namespaced_deployment(NS, label_selector="tier=a").items) == 3
    assert (
        len(apps.list_namespaced_deployment(NS, label_selector="tier in (a,b),app!=d0").items) == 6
    )
    assert len(apps.list_namespaced_deployment(NS, label_selector="!tier").items) == 0
    assert [
        d.metadata.name
        for d in apps.list_namespaced_deployment(NS, field_selector="metadata.name=d4").items
    ] == ["d4"]
    page = apps.list_namespaced_deployment(NS, limit=3)
    names = [d.metadata.name for d in page.items]
    while page.metadata._continue:
        page = apps.list_namespaced_deployment(NS, limit=3, _continue=page.metadata._continue)
        names += [d.metadata.name for d in page.items]
    assert names == [f"d{i}" for i in range(7)]


def test_deployment_pods_become_ready_and_gc(apis, sim) -> None:  # noqa: F811
    core, apps, _ = apis
    apps.create_namespaced_deployment(NS, deployment(replicas=3))
    eventually(
        lambda: (apps.read_namespaced_deployment("m1", NS).status.ready_replicas or 0) == 3,
        what="3 ready replicas",
    )
    pods = core.list_namespaced_pod(NS, label_selector="app=m1").items
    assert len(pods) == 3 and all(p.status.phase == "Running" and p.spec.node_name for p in pods)
    assert all(p.metadata.owner_references[0].kind == "ReplicaSet" for p in pods)
    reasons = {e.reason for e in core.list_namespaced_event(NS).items}
    assert {"ScalingReplicaSet", "Scheduled", "Pulled", "Started"} <= reasons
    apps.delete_namespaced_deployment("m1", NS)
    eventually(lambda: not core.list_namespaced_pod(NS).items, what="pods garbage-collected")
    assert not apps.list_namespaced_replica_set(NS).items


def test_bad_image_and_unschedulable(apis) -> None:
    core, apps, _ = apis
    apps.create_namespaced_deployment(
        NS, deployment("bad", image="registry.example.com/m:doesnotexist")
    )
    apps.create_namespaced_deployment(NS, deployment("huge", gpu=64))

    def waiting(name):
        pods = core.list_namespaced_pod(NS, label_selector=f"app={name}").items
        return [
            p
            for p in pods
            if p.status.container_statuses
            and p.status.container_statuses[0].state.waiting
            and p.status.container_statuses[0].state.waiting.reason == "ImagePullBackOff"
        ]

    eventually(lambda: waiting("bad"), what="ImagePullBackOff")

    def unschedulable():
        pods = core.list_namespaced_pod(NS, label_selector="app=huge").items
        return [c for p in pods for c in (p.status.conditions or []) if c.reason == "Unschedulable"]

    cond = eventually(unschedulable, what="Unschedulable")[0]
    assert cond.message.startswith(f"0/{len(DEFAULT_NODES)} nodes are available:")
    assert "Insufficient nvidia.com/gpu" in cond.message


def test_hpa_scales_within_bounds_and_idles_at_zero(apis, sim) -> None:  # noqa: F811
    _, apps, hpa = apis
    apps.create_namespaced_deployment(NS, deployment(replicas=2))
    hpa.create_namespaced_horizontal_pod_autoscaler(
        NS,
        {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "m1"},
            "spec": {
                "minReplicas": 1,
                "maxReplicas": 5,
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "m1"},
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "target": {"type": "Utilization", "averageUtilization": 50},
                        },
                    }
                ],
            },
        },
    )
    sim.set_load(NS, "m1", 200)
    eventually(
        lambda: apps.read_namespaced_deployment("m1", NS).spec.replicas == 5,
        timeout=30,
        what="scale to max",
    )
    sim.set_load(NS, "m1", 1)
    eventually(
        lambda: apps.read_namespaced_deployment("m1", NS).spec.replicas == 1,
        timeout=30,
        what="scale to min",
    )
    conditional_scale(apps, "m1", 0)
    sim.set_load(NS, "m1", 200)
    threading.Event().wait(0.3)  # let an HPA pass that began before the scale-down finish
    rv = apps.read_namespaced_deployment("m1", NS).metadata.resource_version
    status_rv = hpa.read_namespaced_horizontal_pod_autoscaler("m1", NS).metadata.resource_version
    threading.Event().wait(0.3)  # three HPA periods at speed 20
    assert apps.read_namespaced_deployment("m1", NS).spec.replicas == 0
    assert apps.read_namespaced_deployment("m1", NS).metadata.resource_version >= rv
    assert (
        hpa.read_namespaced_horizontal_pod_autoscaler("m1", NS).metadata.resource_version
        == status_rv
    )


def test_watch_resume_bookmarks_and_410(apis, sim) -> None:  # noqa: F811
    _, apps, _ = apis
    created = apps.create_namespaced_deployment(NS, deployment())
    rv = created.metadata.resource_version
    apps.patch_namespaced_deployment("m1", NS, {"metadata": {"labels": {"x": "1"}}})
    w = watch.Watch()
    seen = []
    for ev in w.stream(
        apps.list_namespaced_deployment,
        NS,
        resource_version=rv,
        allow_watch_bookmarks=True,
        timeout_seconds=1,
        deserialize=False,
    ):
        seen.append(ev["type"])
    assert seen[0] == "MODIFIED" and "BOOKMARK" in seen
    sim.compact()
    with pytest.raises(ApiException) as gone:
        for _ in watch.Watch().stream(
            apps.list_namespaced_deployment, NS, resource_version=rv, timeout_seconds=1
        ):
            pass
    assert gone.value.status == 410


def test_faults_forbidden_throttled_and_dropped_watches(apis, sim) -> None:  # noqa: F811
    core, apps, _ = apis
    sim.faults.forbidden_namespaces.add(NS)
    with pytest.raises(ApiException) as info:
        apps.create_namespaced_deployment(NS, deployment())
    assert info.value.status == 403
    assert 'cannot create resource "deployments"' in status_of(info.value)["message"]
    sim.faults.forbidden_namespaces.clear()
    sim.faults.error_rate_429 = 1.0
    with pytest.raises(ApiException) as info:
        core.list_namespace()
    assert info.value.status == 429 and info.value.headers["Retry-After"] == "1"
    sim.faults.error_rate_429 = 0.0
    sim.faults.error_rate_5xx = 1.0
    with pytest.raises(ApiException) as info:
        core.list_namespace()
    assert info.value.status == 500
    sim.faults.error_rate_5xx = 0.0
    got = []

    def consume():
        try:
            for ev in watch.Watch().stream(core.list_namespace, timeout_seconds=5):
                got.append(ev["type"])
        except Exception as exc:  # the connection is cut: the client sees an error
            got.append(type(exc).__name__)

    t = threading.Thread(target=consume)
    t.start()
    eventually(lambda: len(got) >= 3, what="initial ADDED events")
    assert sim.drop_watches() >= 1
    t.join(5)
    assert not t.is_alive()


def test_standalone_kubeconfig_works_with_the_client(sim, tmp_path) -> None:  # noqa: F811
    path = sim.write_kubeconfig(str(tmp_path / "kubeconfig"))
    api = config.new_client_from_config(config_file=path)
    names = {n.metadata.name for n in client.CoreV1Api(api).list_node().items}
    assert "pool-cpu-1" in names and "pool-t4-1" in names
    before = sim.write_count()
    client.CoreV1Api(api).create_namespace({"metadata": {"name": "other"}})
    assert sim.write_count() == before + 1

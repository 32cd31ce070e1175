"""``dryRun=All`` on the simulator: answered like the write, nothing stored, no resourceVersion
bumped, no watch event, no controller run. Through the official client (and kubectl when it is
installed) over HTTP."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from kubernetes import client
from kubernetes.client import ApiException

from tests.k8s.test_simulator import deployment
from tests.k8s_fixtures import eventually, fast_simulator, sim  # noqa: F401

NS = "ml"


def unchanged(sim):  # noqa: F811
    """A marker of the store: resourceVersion and event history length."""
    return (sim.store.rv, len(sim.store.history))


@pytest.fixture
def apis(sim):  # noqa: F811
    api = sim.api_client()
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    core.create_namespace({"metadata": {"name": NS}})
    return core, apps


def test_dry_run_create_answers_with_defaults_and_stores_nothing(sim, apis) -> None:  # noqa: F811
    core, apps = apis
    before = unchanged(sim)
    sim.reset_request_log()
    out = apps.create_namespaced_deployment(NS, deployment("dry"), dry_run="All")
    assert out.metadata.name == "dry" and out.metadata.uid  # as a real create answers
    assert out.spec.strategy.type == "RollingUpdate" and out.spec.revision_history_limit == 10
    assert not out.metadata.resource_version
    time.sleep(0.2)  # a controller would have made a ReplicaSet by now
    assert sim.get_object("Deployment", NS, "dry") is None
    assert sim.list_objects("ReplicaSet", NS) == []
    assert unchanged(sim) == before
    assert sim.write_count() == 0  # a dry run is no write
    ns = core.create_namespace({"metadata": {"name": "ghost"}}, dry_run="All")
    assert ns.metadata.name == "ghost" and sim.get_object("Namespace", "", "ghost") is None


def test_dry_run_create_still_refuses_what_a_create_would(sim, apis) -> None:  # noqa: F811
    _core, apps = apis
    apps.create_namespaced_deployment(NS, deployment("m1"))
    with pytest.raises(ApiException) as exists:
        apps.create_namespaced_deployment(NS, deployment("m1"), dry_run="All")
    assert exists.value.status == 409
    bad = deployment("bad", cpu="lots")
    with pytest.raises(ApiException) as invalid:
        apps.create_namespaced_deployment(NS, bad, dry_run="All")
    assert invalid.value.status == 422 and "quantities must match" in invalid.value.body
    sim.faults.forbidden_namespaces.add(NS)
    with pytest.raises(ApiException) as forbidden:
        apps.create_namespaced_deployment(NS, deployment("m2"), dry_run="All")
    assert forbidden.value.status == 403
    with pytest.raises(ApiException) as wrong:
        apps.create_namespaced_deployment(NS, deployment("m3"), dry_run="Some")
    assert wrong.value.status in (400, 403)


def test_dry_run_update_patch_scale_delete_store_nothing(sim, apis) -> None:  # noqa: F811
    core, apps = apis
    apps.create_namespaced_deployment(NS, deployment("m1", replicas=2))
    eventually(lambda: len(sim.list_objects("Pod", NS)) == 2, what="two pods")
    live = apps.read_namespaced_deployment("m1", NS)
    rv = live.metadata.resource_version
    time.sleep(0.3)  # let the controllers settle (status updates bump the version)
    live = apps.read_namespaced_deployment("m1", NS)
    rv = live.metadata.resource_version
    before = unchanged(sim)

    body = client.ApiClient().sanitize_for_serialization(live)
    body["spec"]["template"]["spec"]["containers"][0]["image"] = "registry.example.com/m:2"
    out = apps.replace_namespaced_deployment("m1", NS, body, dry_run="All")
    assert out.spec.template.spec.containers[0].image.endswith(":2")
    assert out.metadata.resource_version == rv and out.metadata.generation == 2

    patched = apps.patch_namespaced_deployment("m1", NS, {"spec": {"replicas": 5}}, dry_run="All")
    assert patched.spec.replicas == 5

    scale_body = {"metadata": {"name": "m1", "namespace": NS}, "spec": {"replicas": 7}}
    scaled = apps.replace_namespaced_deployment_scale("m1", NS, scale_body, dry_run="All")
    assert scaled.spec.replicas == 7
    scaled = apps.patch_namespaced_deployment_scale(
        "m1", NS, {"spec": {"replicas": 6}}, dry_run="All"
    )
    assert scaled.spec.replicas == 6

    apps.delete_namespaced_deployment("m1", NS, dry_run="All")
    core.delete_namespace(NS, dry_run="All")

    stored = sim.get_object("Deployment", NS, "m1")
    assert stored["metadata"]["resourceVersion"] == rv
    assert stored["spec"]["replicas"] == 2
    assert stored["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":1")
    assert sim.get_object("Namespace", "", NS) is not None
    assert len(sim.list_objects("Pod", NS)) == 2
    assert unchanged(sim) == before
    with pytest.raises(ApiException) as invalid:
        apps.patch_namespaced_deployment_scale("m1", NS, {"spec": {"replicas": -1}}, dry_run="All")
    assert invalid.value.status == 422


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not on PATH")
def test_kubectl_server_side_dry_run(tmp_path: Path) -> None:
    """kubectl with the kubeconfig the simulator writes (token over TLS, the CA trusted)."""
    sim = fast_simulator()  # noqa: F811
    try:
        client.CoreV1Api(sim.api_client()).create_namespace({"metadata": {"name": NS}})
        _kubectl_dry_runs(sim, tmp_path)
    finally:
        sim.stop()


def _kubectl_dry_runs(sim, tmp_path: Path) -> None:  # noqa: F811
    kubeconfig = sim.write_kubeconfig(str(tmp_path / "kubeconfig"))
    manifest = tmp_path / "dep.yaml"
    manifest.write_text(
        yaml.safe_dump(
            {
                **deployment("kd"),
                "metadata": {"name": "kd", "namespace": NS, "labels": {"app": "kd"}},
            }
        )
    )

    def kubectl(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["kubectl", "--kubeconfig", kubeconfig, *args],
            capture_output=True,
            text=True,
            timeout=60,
        )

    before = unchanged(sim)
    res = kubectl("apply", "--dry-run=server", "--validate=false", "-f", str(manifest))
    if res.returncode != 0 and "openapi" in (res.stderr or "").lower():
        pytest.skip(f"kubectl needs an API the simulator does not serve: {res.stderr.strip()}")
    assert res.returncode == 0, res.stderr
    assert "(server dry run)" in res.stdout
    assert sim.get_object("Deployment", NS, "kd") is None and unchanged(sim) == before
    res = kubectl("create", "--validate=false", "-f", str(manifest))
    assert res.returncode == 0, res.stderr
    res = kubectl("delete", "deployment", "kd", "-n", NS, "--dry-run=server")
    assert res.returncode == 0, res.stderr
    assert "(server dry run)" in res.stdout
    assert sim.get_object("Deployment", NS, "kd") is not None

"""deploy/: every kustomization renders, every object is valid Kubernetes 1.30 (strict: no
unknown fields), the example overlay has what a production install needs, and the server
accepts it (``kubectl apply --dry-run=server`` against the simulator)."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from tests.deploy.manifests import DEPLOY, KUSTOMIZATIONS, OVERLAYS, kubectl, one, render
from tests.k8s_fixtures import sim  # noqa: F401

K8S_VERSION = "1.30.0"


def validate(doc: dict) -> None:
    kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


@pytest.mark.parametrize("path", KUSTOMIZATIONS, ids=lambda p: p.relative_to(DEPLOY).as_posix())
def test_renders_and_every_object_is_valid_for_1_30(path: Path) -> None:
    docs = render(path)
    assert docs
    for doc in docs:
        validate(doc)  # raises with the object and the field


def test_the_validator_refuses_an_unknown_field() -> None:
    deployment = copy.deepcopy(one(render(DEPLOY / "base"), "Deployment", "barista"))
    deployment["spec"]["template"]["spec"]["containers"][0]["readynessProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(deployment)


def test_there_is_an_example_overlay() -> None:
    assert [p.name for p in OVERLAYS] == ["example"]


def test_the_example_overlay_is_a_production_install() -> None:
    docs = render(DEPLOY / "overlays" / "example")
    assert {d["metadata"].get("namespace") for d in docs if d["kind"] != "ClusterRole"} - {
        None
    } == {"barista"}
    dep = one(docs, "Deployment", "barista")
    assert dep["spec"]["replicas"] == 2
    pod = dep["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    env = {e["name"]: e for e in container["env"]}
    assert env["BARISTA_DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {
        "name": "barista-database",
        "key": "url",
    }
    assert all(name.startswith("BARISTA_") for name in env)
    assert env["BARISTA_AUTH"]["value"] == "proxy" and env["BARISTA_TRUSTED_PROXIES"]["value"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthz/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz/live"
    assert container["resources"]["requests"] and container["resources"]["limits"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert {"mountPath": "/tmp", "name": "tmp"} in container["volumeMounts"]
    assert pod["serviceAccountName"] == "barista"
    assert container["image"] == "registry.example.com/platform/barista:0.1.0"
    selector = dep["spec"]["selector"]["matchLabels"]
    assert (
        one(docs, "PodDisruptionBudget", "barista")["spec"]["selector"]["matchLabels"] == selector
    )
    assert one(docs, "Service", "barista")["spec"]["selector"] == selector
    assert one(docs, "NetworkPolicy", "barista")["spec"]["podSelector"]["matchLabels"] == selector
    ingress = one(docs, "Ingress", "barista")
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == "oauth2-proxy"  # nobody reaches the dashboard unauthenticated
    proxy = one(docs, "Deployment", "oauth2-proxy")["spec"]["template"]["spec"]["containers"][0]
    assert "--upstream=http://barista.barista.svc.cluster.local:80" in proxy["args"]
    binding = one(docs, "ClusterRoleBinding", "barista")
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "barista", "namespace": "barista"}
    ]
    cron = one(docs, "CronJob", "barista-backup")
    job = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert "barista export" in " ".join(job["args"])


def _kubectl_reaches(kubeconfig: str) -> str | None:
    done = subprocess.run(
        [kubectl(), "--kubeconfig", kubeconfig, "get", "namespaces", "-o", "name"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    return None if done.returncode == 0 else (done.stderr.strip() or done.stdout.strip())


def test_server_side_dry_run_against_the_simulator(sim, tmp_path: Path) -> None:  # noqa: F811
    kubeconfig = sim.write_kubeconfig(str(tmp_path / "kubeconfig"))
    problem = _kubectl_reaches(kubeconfig)
    if problem is not None:
        last = problem.splitlines()[-1]
        pytest.skip(f"kubectl cannot talk to this simulator (TLS or token support): {last}")
    for path in OVERLAYS:
        docs = render(path)
        served = {d["kind"] for d in docs if _served(sim, d["kind"])}
        namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "barista"}}
        subprocess.run(
            [kubectl(), "--kubeconfig", kubeconfig, "apply", "--validate=false", "-f", "-"],
            input=yaml.safe_dump(namespace),
            text=True,
            check=True,
            capture_output=True,
            timeout=60,
        )
        kept = [d for d in docs if d["kind"] in served]
        # the simulator serves the kinds Barista itself uses; the rest (RBAC, PDB, policy,
        # Ingress, CronJob...) are covered by the schema validation only
        assert {"Deployment", "Service"} <= {d["kind"] for d in kept}
        done = subprocess.run(
            # --validate=false: kubectl's own client-side check needs the server's OpenAPI
            # document; the objects were checked strictly against the 1.30 schemas above
            [
                kubectl(),
                "--kubeconfig",
                kubeconfig,
                "apply",
                "--dry-run=server",
                "--validate=false",
                "-f",
                "-",
            ],
            input=yaml.safe_dump_all(kept),
            text=True,
            capture_output=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        for d in kept:
            assert f"/{d['metadata']['name']} created (server dry run)" in done.stdout, done.stdout
        assert sim.get_object("Deployment", "barista", "barista") is None  # nothing stored


def _served(sim, kind: str) -> bool:  # noqa: F811
    try:
        sim.list_objects(kind)
    except KeyError:
        return False
    return True

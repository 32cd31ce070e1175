"""kubectl against ``barista simulator`` with the kubeconfig it writes: the commands a user types,
in order, with the answers a real cluster gives. Skipped when kubectl is not on PATH."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not on PATH")

BARISTA = Path(sys.executable).with_name("barista")


def manifest(image: str = "nginx:1", replicas: int = 2) -> dict:
    labels = {"app": "web"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "web", "image": image}]},
            },
        },
    }


@pytest.fixture(scope="module")
def kubeconfig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """``barista simulator`` in its own process, as a user starts it."""
    path = tmp_path_factory.mktemp("kubectl") / "kubeconfig"
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    cmd = [str(BARISTA), "simulator", "--port", "0", "--kubeconfig", str(path), "--speed", "20"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not path.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                out = proc.stdout.read().decode() if proc.stdout else ""
                pytest.fail(f"barista simulator did not start: {out}")
            time.sleep(0.1)
        yield path
    finally:
        proc.terminate()
        proc.wait(10)


def kubectl(kubeconfig: Path, *args: str, ok: bool = True, stdin: str | None = None) -> str:
    res = subprocess.run(
        ["kubectl", "--kubeconfig", str(kubeconfig), *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=90,
    )
    if ok:
        assert res.returncode == 0, f"kubectl {' '.join(args)}: {res.stderr}"
    return res.stdout + res.stderr


def write(tmp_path: Path, name: str, body: dict) -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(body))
    return str(path)


def test_kubectl_session(kubeconfig: Path, tmp_path: Path) -> None:
    k = lambda *a, **kw: kubectl(kubeconfig, *a, **kw)  # noqa: E731
    dep = write(tmp_path, "dep.yaml", manifest())
    # apply validates against the server's OpenAPI (no --validate=false)
    assert "deployment.apps/web created" in k("apply", "-f", dep)
    bogus = manifest()
    bogus["spec"]["bogus"] = 1
    refused = k("apply", "-f", write(tmp_path, "bogus.yaml", bogus), ok=False)
    assert 'unknown field "spec.bogus"' in refused
    assert "successfully rolled out" in k("rollout", "status", "deploy/web", "--timeout=60s")
    table = k("get", "deploy,rs,po,svc,hpa,ns")  # short names, server-side columns
    assert "NAME" in table and "READY" in table and "UP-TO-DATE" in table and "2/2" in table
    assert "Running" in table and "default" in table
    assert "Scaled up replica set" in k("get", "ev", "--field-selector", "involvedObject.name=web")
    # scale, then a server-side apply that disagrees with the scale: a conflict naming its manager
    assert "scaled" in k("scale", "deploy/web", "--replicas=3")
    assert "successfully rolled out" in k("rollout", "status", "deploy/web", "--timeout=60s")
    conflict = k("apply", "--server-side", "-f", dep, ok=False)
    assert 'conflict with "kubectl" using apps/v1: .spec.replicas' in conflict  # the scale
    assert "serverside-applied" in k("apply", "--server-side", "--force-conflicts", "-f", dep)
    managed = json.loads(k("get", "deploy/web", "--show-managed-fields", "-o", "json"))
    managers = {m["manager"] for m in managed["metadata"]["managedFields"]}
    assert {"kubectl-client-side-apply", "kubectl", "kube-controller-manager"} <= managers
    # diff runs a server-side dry run: it shows the change and changes nothing
    changed = write(tmp_path, "dep2.yaml", manifest(image="nginx:2"))
    diff = k("diff", "-f", changed, ok=False)
    lines = diff.splitlines()
    assert any(ln.startswith("-") and ln.endswith("image: nginx:1") for ln in lines), diff
    assert any(ln.startswith("+") and ln.endswith("image: nginx:2") for ln in lines), diff
    image = "{.spec.template.spec.containers[0].image}"
    assert k("get", "deploy/web", "-o", f"jsonpath={image}") == "nginx:1"
    # a new revision, its history, and undo
    k("set", "image", "deploy/web", "web=nginx:2")
    assert "successfully rolled out" in k("rollout", "status", "deploy/web", "--timeout=60s")
    history = k("rollout", "history", "deploy/web")
    assert "1 " in history and "2 " in history
    assert "rolled back" in k("rollout", "undo", "deploy/web")
    assert "successfully rolled out" in k("rollout", "status", "deploy/web", "--timeout=60s")
    assert k("get", "deploy/web", "-o", f"jsonpath={image}") == "nginx:1"
    assert "3 " in k("rollout", "history", "deploy/web")
    # logs are the containers' output
    logs = k("logs", "deploy/web", "--tail=2")
    assert logs.count("INFO") == 2 and "apiVersion" not in logs
    assert "deleted" in k("delete", "-f", dep)
    assert "No resources found" in k("get", "deploy,rs")

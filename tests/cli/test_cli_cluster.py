"""CLI commands that talk to a cluster: render, apply-to-cluster, scale, status, simulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from kubernetes import client, config
from typer.testing import CliRunner

from barista_ui.cli import context as cli
from barista_ui.cli.app import app as cli_app
from k8s.simulator import DEFAULT_NODES
from tests.apprunner import ROOT, free_port
from tests.conftest import base_record
from tests.k8s_fixtures import eventually, sim  # noqa: F401


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sim):  # noqa: F811
    monkeypatch.setenv("BARISTA_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("BARISTA_SEED_DEMO", "false")
    monkeypatch.setenv("BARISTA_ACTOR", "oncall")
    monkeypatch.setenv("BARISTA_KUBECONFIG", sim.write_kubeconfig(str(tmp_path / "kubeconfig")))
    cli._services_cache.clear()
    runner = CliRunner()
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(base_record()))

    def _run(*args: str):
        return runner.invoke(cli_app, list(args))

    yield _run, tmp_path
    if "s" in cli._services_cache:
        cli._services_cache.pop("s").stop()


def test_render_prints_valid_manifests(run) -> None:
    invoke, tmp = run
    invoke("models", "create", "-f", str(tmp / "m.yaml"))
    res = invoke("models", "render", "fraud-scorer")
    assert res.exit_code == 0, res.output
    docs = list(yaml.safe_load_all(res.stdout))
    assert [d["kind"] for d in docs] == ["Deployment", "Service"]
    assert client.V1Deployment.from_dict(docs[0]).spec.replicas == 2


def test_create_applies_scale_and_status(run, sim) -> None:  # noqa: F811
    invoke, tmp = run
    assert invoke("models", "create", "-f", str(tmp / "m.yaml")).exit_code == 0
    assert sim.get_object("Deployment", "ml-prod", "fraud-scorer")["spec"]["replicas"] == 2
    res = invoke("models", "scale", "fraud-scorer", "--replicas", "3")
    assert res.exit_code == 0 and "replicas 2 -> 3" in res.stdout
    assert sim.get_object("Deployment", "ml-prod", "fraud-scorer")["spec"]["replicas"] == 3
    hist = json.loads(invoke("models", "history", "fraud-scorer", "-o", "json").stdout)
    assert hist[0]["action"] == "scale" and hist[0]["actor"] == "oncall"
    eventually(
        lambda: (
            (sim.get_object("Deployment", "ml-prod", "fraud-scorer")["status"].get("readyReplicas"))
            == 3
        )
    )
    res = invoke("models", "status", "fraud-scorer", "-o", "json")
    assert res.exit_code == 0, res.output
    (row,) = json.loads(res.stdout)
    assert row["status"] == "Synced" and row["ready"] == 3 and len(row["pods"]) == 3
    sim.faults.forbidden_namespaces.add("ml-prod")
    res = invoke("models", "scale", "fraud-scorer", "--replicas", "1")
    assert res.exit_code == 1 and "forbidden" in res.stderr and "nothing was saved" in res.stderr
    sim.faults.forbidden_namespaces.clear()


def test_apply_to_cluster_reports_each_model(run, sim) -> None:  # noqa: F811
    invoke, tmp = run
    invoke("models", "create", "-f", str(tmp / "m.yaml"))
    api = client.AppsV1Api(sim.api_client())
    api.delete_namespaced_deployment("fraud-scorer", "ml-prod")
    res = invoke("models", "apply-to-cluster", "--all")
    assert res.exit_code == 0 and "ml-prod/fraud-scorer: applied" in res.stdout
    res = invoke("models", "apply-to-cluster", "fraud-scorer")
    assert "already in sync" in res.stdout
    assert invoke("models", "apply-to-cluster").exit_code == 2


def test_standalone_simulator_serves_kubectl_style_clients(tmp_path: Path) -> None:
    port = free_port()
    kubeconfig = tmp_path / "sim.kubeconfig"
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "barista_ui.cli",
            "simulator",
            "--port",
            str(port),
            "--kubeconfig",
            str(kubeconfig),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not kubeconfig.exists() and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stdout.read()
            time.sleep(0.1)
        api = config.new_client_from_config(config_file=str(kubeconfig))
        nodes = client.CoreV1Api(api).list_node().items
        assert len(nodes) == len(DEFAULT_NODES)
    finally:
        proc.terminate()
        proc.wait(10)
    assert proc.returncode == 0


def test_edit_while_the_cluster_is_down_is_saved_as_pending(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from k8s.simulator import SimulatorConfig, start_simulator
    from tests.k8s_fixtures import FAST

    cfg = SimulatorConfig(**{**FAST.__dict__, "port": free_port()})
    first = start_simulator(cfg)
    monkeypatch.setenv("BARISTA_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("BARISTA_SEED_DEMO", "false")
    monkeypatch.setenv("BARISTA_ACTOR", "oncall")
    monkeypatch.setenv("BARISTA_KUBECONFIG", first.write_kubeconfig(str(tmp_path / "kubeconfig")))
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(base_record()))
    runner = CliRunner()

    def invoke(*args: str):
        if "s" in cli._services_cache:  # each command is its own process
            cli._services_cache.pop("s").stop()
        return runner.invoke(cli_app, list(args))

    try:
        assert invoke("models", "create", "-f", str(tmp_path / "m.yaml")).exit_code == 0
        assert first.get_object("Deployment", "ml-prod", "fraud-scorer")["spec"]["replicas"] == 2
    finally:
        first.stop()
    res = invoke("models", "scale", "fraud-scorer", "--replicas", "3")
    assert res.exit_code == 0, res.output  # saved: the cluster did not refuse it
    assert "Pending: ml-prod/fraud-scorer saved; the cluster is unreachable" in res.stderr
    assert "it will be applied when it returns" in res.stderr
    assert json.loads(invoke("models", "get", "fraud-scorer", "-o", "json").stdout)["replicas"] == 3
    second = start_simulator(cfg)  # the cluster returns
    try:
        res = invoke("models", "apply-to-cluster", "--all")
        assert res.exit_code == 0 and "ml-prod/fraud-scorer: applied" in res.stdout
        assert second.get_object("Deployment", "ml-prod", "fraud-scorer")["spec"]["replicas"] == 3
    finally:
        second.stop()
        if "s" in cli._services_cache:
            cli._services_cache.pop("s").stop()


def test_list_and_status_flag_a_row_that_no_longer_validates(run, sim) -> None:  # noqa: F811
    from tests.unreadable_rows import BAD_SCHEDULE, spoil

    invoke, tmp = run
    invoke("models", "create", "-f", str(tmp / "m.yaml"))
    (tmp / "churn.yaml").write_text(yaml.safe_dump(base_record(name="churn")))
    invoke("models", "create", "-f", str(tmp / "churn.yaml"))
    spoil(tmp / "cli.db", "ml-prod", "churn", schedule=BAD_SCHEDULE)
    listed = invoke("models", "list", "-o", "json")
    assert listed.exit_code == 0, listed.output
    assert [r["name"] for r in json.loads(listed.stdout)] == ["fraud-scorer"]
    assert (
        "warning: ml-prod/churn is stored with values that are no longer valid" in (listed.stderr)
        and "schedule.timezone" in listed.stderr
    )
    status = invoke("models", "status", "-o", "json")
    assert status.exit_code == 0, status.output
    assert "fraud-scorer" in {r["name"] for r in json.loads(status.stdout)}
    assert "warning: ml-prod/churn" in status.stderr
    one = invoke("models", "status", "churn")
    assert one.exit_code == 1 and one.stderr.startswith("error: ml-prod/churn is stored")
    deleted = invoke("models", "delete", "churn")
    assert deleted.exit_code == 0, deleted.output
    assert json.loads(invoke("models", "list", "-o", "json").stdout)[0]["name"] == "fraud-scorer"
    assert invoke("models", "list").stderr == ""

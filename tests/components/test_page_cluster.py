"""The Cluster tab and the model panel's cluster views through NiceGUI's simulated user, on a
simulator: unmanaged objects listed, adopted and deleted (after a confirmation), "Re-apply all"
asking first, rows opening the model's panel, the rollout history with roll back, and events
with age and count."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes import client
from nicegui import ui
from nicegui.testing import User

from barista_ui.records.registry import RegistryService
from data.db import make_engine, session_factory
from k8s.manifests import render
from tests.components.waiting import eventually
from tests.conftest import base_record
from tests.k8s_fixtures import fast_simulator

NS = "ml-prod"
OLD_IMAGE = "registry.example.com/fraud-scorer:1.4.2"
NEW_IMAGE = "registry.example.com/fraud-scorer:1.5.0"


@pytest.fixture
def cluster_env(app_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator:
    """The page on its own simulator, no demo fleet: the test makes what it needs."""
    sim = fast_simulator()
    monkeypatch.setenv("BARISTA_CLUSTER", "auto")
    monkeypatch.setenv("BARISTA_KUBECONFIG", sim.write_kubeconfig(str(tmp_path / "kubeconfig")))
    monkeypatch.setenv("BARISTA_SEED_DEMO", "false")
    yield sim
    sim.stop()


def registry_for(app_env: Path) -> RegistryService:
    return RegistryService(session_factory(make_engine(f"sqlite:///{app_env}")))


def make_unmanaged(sim, name: str) -> None:
    """A Deployment and Service with Barista's label and no record (made by someone else)."""
    api = sim.api_client()
    dep, svc = render(base_record(name=name, image="registry.example.com/orphan:2.0"), 1)
    try:
        client.CoreV1Api(api).create_namespace({"metadata": {"name": NS}})
    except client.ApiException as exc:  # made by an earlier apply
        assert exc.status == 409
    client.AppsV1Api(api).create_namespaced_deployment(NS, dep)
    client.CoreV1Api(api).create_namespaced_service(NS, svc)


def table_rows(user: User, marker: str) -> list[dict]:
    """The rows of the table with this marker ([] while it is not on the page)."""
    try:
        found = user.find(marker=marker).elements
    except AssertionError:  # not drawn (yet)
        return []
    return [row for t in found if isinstance(t, ui.table) for row in t.rows]


def unmanaged_rows(user: User) -> list[dict]:
    return table_rows(user, "cluster-unmanaged")


def problem_rows(user: User) -> list[dict]:
    return table_rows(user, "cluster-problems")


async def open_cluster_tab(user: User) -> None:
    await user.open("/?tab=cluster")
    await user.should_see(marker="cluster-overview", retries=30)


async def test_unmanaged_objects_are_listed_and_adopted(app_env, cluster_env, user: User) -> None:
    make_unmanaged(cluster_env, "orphan")
    await open_cluster_tab(user)
    await eventually(
        lambda: [r["model"] for r in unmanaged_rows(user)] == [f"{NS}/orphan"],
        timeout=15,
        what="the unmanaged object listed",
    )
    user.find(marker="cluster-unmanaged").trigger("adopt", {"model": f"{NS}/orphan"})
    registry = registry_for(app_env)
    await eventually(lambda: registry.find("orphan", NS) is not None, timeout=15, what="adopted")
    record = registry.get("orphan", NS)
    assert record.spec.image == "registry.example.com/orphan:2.0"
    assert record.spec.team == "payments" and record.spec.replicas == 1
    assert registry.history("orphan", NS)[-1].reason == "adopted from the cluster"
    await eventually(lambda: not unmanaged_rows(user), timeout=15, what="no longer unmanaged")


async def test_deleting_an_unmanaged_object_asks_first(app_env, cluster_env, user: User) -> None:
    sim = cluster_env
    make_unmanaged(sim, "orphan")
    await open_cluster_tab(user)
    await eventually(lambda: bool(unmanaged_rows(user)), timeout=15, what="listed")
    user.find(marker="cluster-unmanaged").trigger("delete", {"model": f"{NS}/orphan"})
    await user.should_see(marker="unmanaged-delete-dialog")
    user.find(marker="unmanaged-delete-cancel").click()
    assert sim.get_object("Deployment", NS, "orphan") is not None  # nothing without a yes
    user.find(marker="cluster-unmanaged").trigger("delete", {"model": f"{NS}/orphan"})
    await user.should_see(marker="unmanaged-delete-do")
    user.find(marker="unmanaged-delete-do").click()
    await eventually(
        lambda: (
            sim.get_object("Deployment", NS, "orphan") is None
            and sim.get_object("Service", NS, "orphan") is None
        ),
        timeout=15,
        what="deleted",
    )


def hand_edit_image(sim, name: str, image: str) -> None:
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "model", "image": image}]}}}}
    client.AppsV1Api(sim.api_client()).patch_namespaced_deployment(
        name, NS, patch, field_manager="kubectl-edit"
    )


def live_image(sim, name: str) -> str:
    dep = sim.get_object("Deployment", NS, name)
    return dep["spec"]["template"]["spec"]["containers"][0]["image"] if dep else ""


async def test_reapply_all_asks_first_and_rows_open_the_model(
    app_env, cluster_env, user: User
) -> None:
    sim = cluster_env
    await asyncio.to_thread(registry_for(app_env).create, base_record(), actor="ana", source="cli")
    await open_cluster_tab(user)
    await eventually(
        lambda: live_image(sim, "fraud-scorer") == OLD_IMAGE, timeout=15, what="applied"
    )
    hand_edit_image(sim, "fraud-scorer", NEW_IMAGE)
    await eventually(
        lambda: any(r["status"] == "OutOfSync" for r in problem_rows(user)),
        timeout=15,
        what="OutOfSync in Needs attention",
    )
    row = next(r for r in problem_rows(user) if r["model"] == f"{NS}/fraud-scorer")
    assert "kubectl-edit" in row["detail"] and "image" in row["detail"]
    user.find(marker="cluster-problems").trigger("open", {"model": f"{NS}/fraud-scorer"})
    await user.should_see(marker="panel-drift", retries=30)  # the panel, with its drift table
    drift = table_rows(user, "panel-drift")
    assert [(r["live"], r["who"].split(" at ")[0]) for r in drift] == [(NEW_IMAGE, "kubectl-edit")]
    user.find(marker="apply-all").click()
    await user.should_see(marker="apply-all-dialog")
    user.find(marker="apply-all-cancel").click()
    assert live_image(sim, "fraud-scorer") == NEW_IMAGE  # not re-applied without a yes
    user.find(marker="apply-all").click()
    await user.should_see(marker="apply-all-do")
    user.find(marker="apply-all-do").click()
    await eventually(
        lambda: live_image(sim, "fraud-scorer") == OLD_IMAGE, timeout=15, what="re-applied"
    )


async def test_panel_rollout_history_rolls_back_and_shows_events(
    app_env, cluster_env, user: User
) -> None:
    sim = cluster_env
    registry = registry_for(app_env)
    await asyncio.to_thread(registry.create, base_record(), actor="ana", source="cli")
    await user.open("/")
    await eventually(lambda: live_image(sim, "fraud-scorer") == OLD_IMAGE, timeout=15, what="v1")
    await asyncio.to_thread(
        lambda: registry.set_fields(NS, "fraud-scorer", image=NEW_IMAGE, actor="ana", source="cli")
    )
    await eventually(lambda: live_image(sim, "fraud-scorer") == NEW_IMAGE, timeout=15, what="v2")
    await eventually(
        lambda: any(r.get("key") == f"{NS}/fraud-scorer" for r in models_rows(user)),
        timeout=15,
        what="row shown",
    )
    user.find(marker="models-table").trigger("open", {"key": f"{NS}/fraud-scorer"})
    await user.should_see(marker="panel-load-rollouts", retries=30)
    await user.should_see(marker="panel-events", retries=50)  # events with age (and count)
    user.find(marker="panel-load-rollouts").click()
    await user.should_see(marker="rollback-1", retries=50)  # revision 1 ran the old image
    await user.should_see(OLD_IMAGE)
    user.find(marker="rollback-1").click()
    await user.should_see(marker="rollback-do")
    user.find(marker="rollback-do").click()
    await eventually(
        lambda: registry.get("fraud-scorer", NS).spec.image == OLD_IMAGE,
        timeout=15,
        what="the record rolled back",
    )
    last = registry.history("fraud-scorer", NS)[0]  # newest first
    assert last.action == "rollback" and "rollout revision 1" in last.reason


async def test_panel_shows_the_last_lines_of_a_pods_log(app_env, cluster_env, user: User) -> None:
    sim = cluster_env
    registry = registry_for(app_env)
    await asyncio.to_thread(registry.create, base_record(replicas=1), actor="ana", source="cli")
    await user.open("/")
    await eventually(
        lambda: any(p["status"].get("phase") == "Running" for p in sim.list_objects("Pod", NS)),
        timeout=15,
        what="a running pod",
    )
    await eventually(
        lambda: any(r.get("key") == f"{NS}/fraud-scorer" for r in models_rows(user)),
        timeout=15,
        what="row shown",
    )
    user.find(marker="models-table").trigger("open", {"key": f"{NS}/fraud-scorer"})
    await user.should_see(marker="logs-load", retries=30)
    user.find(marker="logs-load").click()

    def lines() -> list[str]:
        logs = [e for e in user.find(marker="panel-logs").elements if isinstance(e, ui.log)]
        return [child.text for log in logs for child in log.default_slot.children]

    await eventually(lambda: bool(lines()), timeout=10, what="log lines")
    shown = lines()
    assert 0 < len(shown) <= 200
    assert not shown[0].startswith("{")  # the container's output, not the Pod object
    assert "cannot read" not in shown[0]


def models_rows(user: User) -> list[dict]:
    return table_rows(user, "models-table")

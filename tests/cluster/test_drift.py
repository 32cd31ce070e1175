"""Drift a user can see and repair: a field changed with the official client behind Barista's
back shows as OutOfSync naming the field, both values and who changed it (managedFields); a
re-apply repairs it and the status turns Synced. Run against the simulator with the watch and
the reconciler as the app wires them; every wait is a condition with a deadline."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from kubernetes import client

from barista_ui.cluster.status import FleetStatus, StatusRow
from barista_ui.records.replicas import desired_replicas
from k8s.live import LiveState
from tests.cluster.reconcile_fixtures import Wired, wired  # noqa: F401
from tests.conftest import base_record
from tests.k8s_fixtures import eventually, sim  # noqa: F401

NS, NAME = "ml-prod", "fraud-scorer"
KEY = (NS, NAME)
ON_CALL = "on-call-fix"  # the field manager of the change made behind Barista's back
CONTAINER = "spec.template.spec.containers[model]"


@pytest.fixture
def watched(wired: Wired, sim) -> Iterator[LiveState]:  # noqa: F811
    live = LiveState(sim.api_client(), coalesce_s=0.01, on_change=wired.reconciler.observe)
    wired.reconciler.live = live
    live.start()
    live.wait_until(lambda s: s.synced, 10)
    yield live
    live.stop()


def row(wired: Wired, live: LiveState) -> StatusRow:  # noqa: F811
    record = wired.registry.get(NAME, NS)
    return FleetStatus(desired_replicas, live, wired.reconciler.state).row(record)


def deploy(wired: Wired, live: LiveState, **overrides: Any) -> None:  # noqa: F811
    wired.registry.create(base_record(**overrides), actor="ana", source="ui")
    assert wired.reconciler.reconcile_now(KEY).ok
    eventually(lambda: row(wired, live).status == "Synced", what="Synced after the first apply")


def container_patch(**fields: Any) -> dict:
    return {"spec": {"template": {"spec": {"containers": [{"name": "model", **fields}]}}}}


def check_drift_and_repair(
    wired: Wired,  # noqa: F811
    live: LiveState,
    change: Callable[[client.ApiClient], object],
    kind: str,
    path: str,
    record_value: Any,
    live_value: Any,
    api: client.ApiClient,
    repaired: Callable[[], bool],
) -> None:
    change(api)

    def drifted() -> StatusRow | None:
        r = row(wired, live)
        return r if r.status == "OutOfSync" and any(d.path == path for d in r.drift) else None

    r = eventually(drifted, 5, f"OutOfSync naming {kind} {path}")
    diff = next(d for d in r.drift if d.path == path)
    assert (diff.kind, diff.record, diff.live) == (kind, record_value, live_value)
    assert diff.manager == ON_CALL and diff.time, diff
    assert f"{kind}.{path}" in r.message and ON_CALL in r.message
    result = wired.reconciler.reconcile_now(KEY)  # "Re-apply"
    assert result.ok and result.writes >= 1, result  # the drift was work, not "already in sync"
    eventually(lambda: row(wired, live).status == "Synced", 5, "Synced after the re-apply")
    assert repaired()


def dep(sim) -> dict:  # noqa: F811
    return sim.get_object("Deployment", NS, NAME)


def model_container(sim) -> dict:  # noqa: F811
    return dep(sim)["spec"]["template"]["spec"]["containers"][0]


def test_image_changed_by_hand(wired, watched, sim) -> None:  # noqa: F811
    deploy(wired, watched)
    api = sim.api_client()
    check_drift_and_repair(
        wired,
        watched,
        lambda api: client.AppsV1Api(api).patch_namespaced_deployment(
            NAME,
            NS,
            container_patch(image="registry.example.com/fraud-scorer:9.9"),
            field_manager=ON_CALL,
        ),
        "Deployment",
        f"{CONTAINER}.image",
        "registry.example.com/fraud-scorer:1.4.2",
        "registry.example.com/fraud-scorer:9.9",
        api,
        lambda: model_container(sim)["image"] == "registry.example.com/fraud-scorer:1.4.2",
    )


def test_env_var_added_by_hand(wired, watched, sim) -> None:  # noqa: F811
    deploy(wired, watched)
    api = sim.api_client()
    check_drift_and_repair(
        wired,
        watched,
        lambda api: client.AppsV1Api(api).patch_namespaced_deployment(
            NAME,
            NS,
            container_patch(env=[{"name": "DEBUG", "value": "1"}]),
            field_manager=ON_CALL,
        ),
        "Deployment",
        f"{CONTAINER}.env[DEBUG]",
        None,
        {"name": "DEBUG", "value": "1"},
        api,
        lambda: "DEBUG" not in {e["name"] for e in model_container(sim)["env"]},
    )


def test_memory_limit_changed_by_hand(wired, watched, sim) -> None:  # noqa: F811
    deploy(wired, watched)
    api = sim.api_client()
    check_drift_and_repair(
        wired,
        watched,
        lambda api: client.AppsV1Api(api).patch_namespaced_deployment(
            NAME,
            NS,
            container_patch(resources={"limits": {"memory": "8Gi"}}),
            field_manager=ON_CALL,
        ),
        "Deployment",
        f"{CONTAINER}.resources.limits.memory",
        "4Gi",
        "8Gi",
        api,
        lambda: model_container(sim)["resources"]["limits"]["memory"] == "4Gi",
    )


def test_label_changed_by_hand(wired, watched, sim) -> None:  # noqa: F811
    deploy(wired, watched)
    api = sim.api_client()
    check_drift_and_repair(
        wired,
        watched,
        lambda api: client.AppsV1Api(api).patch_namespaced_deployment(
            NAME, NS, {"metadata": {"labels": {"team": "someone-else"}}}, field_manager=ON_CALL
        ),
        "Deployment",
        "metadata.labels.team",
        "payments",
        "someone-else",
        api,
        lambda: dep(sim)["metadata"]["labels"]["team"] == "payments",
    )


def test_hpa_max_changed_by_hand(wired, watched, sim) -> None:  # noqa: F811
    auto = {"enabled": True, "min": 2, "max": 5, "target_cpu_percent": 70}
    deploy(wired, watched, autoscaling=auto)
    api = sim.api_client()
    check_drift_and_repair(
        wired,
        watched,
        lambda api: client.AutoscalingV2Api(api).patch_namespaced_horizontal_pod_autoscaler(
            NAME, NS, {"spec": {"maxReplicas": 9}}, field_manager=ON_CALL
        ),
        "HorizontalPodAutoscaler",
        "spec.maxReplicas",
        5,
        9,
        api,
        lambda: sim.get_object("HorizontalPodAutoscaler", NS, NAME)["spec"]["maxReplicas"] == 5,
    )


def test_service_port_changed_by_hand(wired, watched, sim) -> None:  # noqa: F811
    deploy(wired, watched)
    api = sim.api_client()
    svc = sim.get_object("Service", NS, NAME)
    ports = [{**p, "targetPort": 9090} for p in svc["spec"]["ports"]]
    check_drift_and_repair(
        wired,
        watched,
        lambda api: client.CoreV1Api(api).patch_namespaced_service(
            NAME, NS, {"spec": {"ports": ports}}, field_manager=ON_CALL
        ),
        "Service",
        "spec.ports[http].targetPort",
        8080,
        9090,
        api,
        lambda: sim.get_object("Service", NS, NAME)["spec"]["ports"][0]["targetPort"] == 8080,
    )


def test_a_deleted_service_is_recreated_by_the_reconciler(wired, watched, sim) -> None:  # noqa: F811
    """A missing object is put back at once (changed fields wait for a re-apply)."""
    deploy(wired, watched)
    with wired.reconciler:
        client.CoreV1Api(sim.api_client()).delete_namespaced_service(NAME, NS)
        eventually(lambda: sim.get_object("Service", NS, NAME), 10, "the Service recreated")
        eventually(lambda: row(wired, watched).status == "Synced", 10, "Synced again")


def test_no_drift_means_no_write_and_server_defaults_are_not_drift(wired, watched, sim) -> None:  # noqa: F811
    auto = {"enabled": True, "min": 2, "max": 5, "target_cpu_percent": 70}
    deploy(wired, watched, autoscaling=auto)
    assert row(wired, watched).drift == []
    sim.reset_request_log()
    result = wired.reconciler.reconcile_now(KEY)
    assert (result.writes, result.message) == (0, "already in sync")
    assert sim.write_count() == 0

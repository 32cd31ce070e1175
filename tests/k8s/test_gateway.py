"""The cluster gateway and live state, through the official client against the simulator."""

from __future__ import annotations

import pytest
from kubernetes import client

from barista_ui.cluster.status import sync_status
from barista_ui.records.spec import validate_record
from k8s.gateway import ClusterGateway, ConflictError, ForbiddenError, InvalidError
from k8s.live import LiveState
from k8s.manifests import render, render_yaml
from tests.conftest import base_record
from tests.k8s_fixtures import eventually, sim  # noqa: F401

KEY = ("ml-prod", "fraud-scorer")


def record(**overrides) -> dict:
    return validate_record(base_record(**overrides)).to_file_dict()


def spec(**overrides):
    return validate_record(base_record(**overrides))


@pytest.fixture
def gw(sim) -> ClusterGateway:  # noqa: F811
    return ClusterGateway(sim.api_client(), backoff_base_s=0.01)


@pytest.fixture
def live(sim):  # noqa: F811
    state = LiveState(sim.api_client(), coalesce_s=0.01)
    state.start()
    state.wait_until(lambda s: s.synced, 10)
    yield state
    state.stop()


def test_rendered_manifests_are_valid_client_models() -> None:
    rec = record(
        resources={
            "requests": {"cpu": "2", "memory": "8Gi"},
            "limits": {"cpu": "4", "memory": "8Gi"},
            "gpu": {"count": 1, "type": "nvidia-l4"},
        },
        autoscaling={"enabled": True, "min": 2, "max": 6, "target_cpu_percent": 60},
    )
    dep, svc, hpa = render(rec, 3)
    api = client.ApiClient()
    d = client.V1Deployment.from_dict(dep)
    assert d.spec.replicas == 3
    c = dep["spec"]["template"]["spec"]["containers"][0]
    assert c["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert c["readinessProbe"]["tcpSocket"]["port"] == 8080
    for obj in (dep, svc, hpa, dep["spec"]["template"]):
        labels = obj["metadata"]["labels"]
        assert labels["app.kubernetes.io/managed-by"] == "barista"
        assert labels["team"] == "payments" and labels["model"] == "fraud-scorer"
    assert client.V2HorizontalPodAutoscaler.from_dict(hpa).spec.min_replicas == 2
    assert client.V1Service.from_dict(svc).spec.ports[0].target_port == 8080
    assert (
        api.sanitize_for_serialization(d)["spec"]["selector"]["matchLabels"]["model"]
        == "fraud-scorer"
    )
    assert render_yaml(rec, 3).count("\n---\n") == 2


def test_apply_is_idempotent_and_updates_changes(gw, sim, live) -> None:  # noqa: F811
    first = gw.apply(record(), 2)
    assert first.created == ["Deployment ml-prod/fraud-scorer", "Service ml-prod/fraud-scorer"]
    sim.reset_request_log()
    again = gw.apply(record(), 2)
    assert again.writes == 0 and sim.write_count() == 0
    changed = gw.apply(record(image="registry.example.com/fraud-scorer:1.5.0"), 2)
    assert changed.updated == ["Deployment ml-prod/fraud-scorer"]
    assert sim.write_count(resource="deployments") == 1
    dep = sim.get_object("Deployment", "ml-prod", "fraud-scorer")
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":1.5.0")
    live.wait_until(lambda s: s.snapshot(KEY) and s.snapshot(KEY).ready == 2, 10)
    assert (
        sync_status(
            spec(image="registry.example.com/fraud-scorer:1.5.0"), 2, live.snapshot(KEY)
        ).status
        == "Synced"
    )
    assert sync_status(spec(), 2, live.snapshot(KEY)).status == "OutOfSync"


def test_autoscaling_switch_creates_and_removes_hpa(gw, sim) -> None:  # noqa: F811
    auto = {"enabled": True, "min": 2, "max": 5, "target_cpu_percent": 70}
    gw.apply(record(autoscaling=auto), 2)
    assert (
        sim.get_object("HorizontalPodAutoscaler", "ml-prod", "fraud-scorer")["spec"]["minReplicas"]
        == 2
    )
    gw.apply(record(), 2)
    assert sim.get_object("HorizontalPodAutoscaler", "ml-prod", "fraud-scorer") is None


def test_retries_through_429_and_5xx(gw, sim) -> None:  # noqa: F811
    sim.faults.error_rate_5xx = 0.5
    sim.faults.error_rate_429 = 0.2
    gw.max_retries = 12
    result = gw.apply(record(), 2)
    assert result.created and sim.get_object("Deployment", "ml-prod", "fraud-scorer") is not None
    failed = [r for r in sim.requests if r.status >= 429]
    assert failed, "the faults were injected"


def test_scale_conflicts_and_unconditional_scale(gw, sim) -> None:  # noqa: F811
    gw.apply(record(), 2)
    rv = gw.read_scale("ml-prod", "fraud-scorer")["metadata"]["resourceVersion"]
    gw.scale("ml-prod", "fraud-scorer", 3)  # someone else's change
    with pytest.raises(ConflictError, match="changed since it was read"):
        gw.scale("ml-prod", "fraud-scorer", 0, expected_resource_version=rv)
    out = gw.scale("ml-prod", "fraud-scorer", 1)
    assert (out.before, out.after) == (3, 1)
    eventually(
        lambda: (
            (sim.get_object("Deployment", "ml-prod", "fraud-scorer")["status"].get("readyReplicas"))
            == 1
            and len(sim.list_objects("Pod", "ml-prod")) == 1
        )
    )
    dep = sim.get_object("Deployment", "ml-prod", "fraud-scorer")
    gw.patch_replicas_and_annotations(
        "ml-prod",
        "fraud-scorer",
        0,
        {"barista.io/original-replicas": "1"},
        dep["metadata"]["resourceVersion"],
    )
    dep2 = sim.get_object("Deployment", "ml-prod", "fraud-scorer")
    assert dep2["spec"]["replicas"] == 0
    assert dep2["metadata"]["annotations"]["barista.io/original-replicas"] == "1"
    with pytest.raises(ConflictError):
        gw.patch_replicas_and_annotations(
            "ml-prod", "fraud-scorer", 2, {}, dep["metadata"]["resourceVersion"]
        )


def test_forbidden_and_invalid_errors_name_object_and_reason(gw, sim) -> None:  # noqa: F811
    sim.faults.forbidden_namespaces.add("ml-prod")
    with pytest.raises(ForbiddenError) as info:
        gw.apply(record(), 1)
    assert "ml-prod" in str(info.value) and "forbidden" in str(info.value)
    sim.faults.forbidden_namespaces.clear()
    bad = record()
    bad["resources"]["limits"]["cpu"] = "100m"  # bypasses Barista's own validation on purpose
    with pytest.raises(InvalidError) as info:
        gw.apply(bad, 1)
    assert "Deployment ml-prod/fraud-scorer is invalid" in str(info.value)
    assert "must be less than or equal to cpu limit" in str(info.value)


def test_delete_removes_objects(gw, sim) -> None:  # noqa: F811
    gw.apply(record(autoscaling={"enabled": True, "min": 1, "max": 3}), 1)
    result = gw.delete(record())
    assert len(result.deleted) == 3
    assert sim.get_object("Service", "ml-prod", "fraud-scorer") is None
    assert gw.delete(record()).deleted == []


def test_live_state_follows_scale_and_pod_reasons(gw, sim, live) -> None:  # noqa: F811
    gw.apply(record(), 3)
    # the Deployment and its Pods arrive on separate watches: wait for both
    live.wait_until(
        lambda s: (
            s.snapshot(KEY)
            and s.snapshot(KEY).ready == 3
            and len([p for p in s.snapshot(KEY).pods if p.phase == "Running" and p.ready]) == 3
        ),
        10,
    )
    assert all(p.node for p in live.snapshot(KEY).pods)
    gw.scale("ml-prod", "fraud-scorer", 1)
    live.wait_until(lambda s: s.snapshot(KEY).desired == 1 and len(s.snapshot(KEY).pods) == 1, 10)
    pod = live.snapshot(KEY).pods[0]
    sim.set_pod_ready("ml-prod", pod.name, False)
    live.wait_until(lambda s: s.snapshot(KEY).pods[0].ready is False, 10)
    gw.apply(record(name="broken", image="registry.example.com/x:doesnotexist"), 1)
    gw.apply(
        record(
            name="greedy",
            resources={
                "requests": {"cpu": "1", "memory": "1Gi"},
                "gpu": {"count": 8, "type": "nvidia-tesla-a100"},
            },
        ),
        1,
    )
    live.wait_until(
        lambda s: (
            s.snapshot(("ml-prod", "broken"))
            and any(p.reason == "ImagePullBackOff" for p in s.snapshot(("ml-prod", "broken")).pods)
        ),
        10,
    )
    live.wait_until(
        lambda s: (
            s.snapshot(("ml-prod", "greedy"))
            and any(p.reason == "Unschedulable" for p in s.snapshot(("ml-prod", "greedy")).pods)
        ),
        10,
    )
    msg = live.snapshot(("ml-prod", "greedy")).pods[0].message
    assert "Insufficient nvidia.com/gpu" in msg
    live.wait_until(
        lambda s: any(
            e.reason == "FailedScheduling" for e in s.snapshot(("ml-prod", "greedy")).events
        ),
        10,
    )


def test_live_state_survives_dropped_watches_and_410(gw, sim, live) -> None:  # noqa: F811
    gw.apply(record(), 2)
    live.wait_until(lambda s: s.snapshot(KEY) and s.snapshot(KEY).ready == 2, 10)
    sim.drop_watches()
    gw.scale("ml-prod", "fraud-scorer", 4)
    live.wait_until(lambda s: s.snapshot(KEY).ready == 4, 10)
    assert live.reconnects >= 1
    sim.compact()
    sim.drop_watches()
    gw.scale("ml-prod", "fraud-scorer", 1)
    live.wait_until(lambda s: s.snapshot(KEY).desired == 1 and len(s.snapshot(KEY).pods) == 1, 10)
    assert live.relists >= 1


def test_unmanaged_and_missing_status(gw, sim, live) -> None:  # noqa: F811
    gw.apply(record(name="orphan"), 1)
    live.wait_until(lambda s: s.snapshot(("ml-prod", "orphan")) is not None, 10)
    assert sync_status(None, 0, live.snapshot(("ml-prod", "orphan"))).status == "Unmanaged"
    assert sync_status(spec(name="nothing"), 1, None).status == "Missing"
    auto = record(autoscaling={"enabled": True, "min": 1, "max": 4, "target_cpu_percent": 70})
    sim.set_load("ml-prod", "fraud-scorer", 70)  # at target: the simulated HPA holds the count
    gw.apply(auto, 2)
    live.wait_until(lambda s: s.snapshot(KEY) and s.snapshot(KEY).desired == 2, 10)
    gw.scale("ml-prod", "fraud-scorer", 3)  # the HPA's doing: within min..max is not drift
    live.wait_until(lambda s: s.snapshot(KEY).desired == 3, 10)
    assert sync_status(validate_record(auto), 2, live.snapshot(KEY)).status == "Synced"
    assert sync_status(validate_record(auto), 0, live.snapshot(KEY)).status == "OutOfSync"

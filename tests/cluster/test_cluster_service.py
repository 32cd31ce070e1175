"""Record changes reach the cluster inside the registry's transaction; refusals save nothing."""

from __future__ import annotations

import pytest

from barista_ui.cluster.service import ClusterService, ClusterWriteError
from barista_ui.records.registry import RegistryService
from k8s.gateway import ClusterGateway
from tests.conftest import base_record
from tests.k8s_fixtures import sim  # noqa: F401


@pytest.fixture
def cluster(registry: RegistryService, sim) -> ClusterService:  # noqa: F811
    svc = ClusterService(
        registry, ClusterGateway(sim.api_client(), backoff_base_s=0.01, max_retries=2)
    )
    svc.attach()
    return svc


def deployment(sim, name="fraud-scorer"):  # noqa: F811
    return sim.get_object("Deployment", "ml-prod", name)


def test_create_toggle_scale_delete_follow_the_record(cluster, registry, sim) -> None:  # noqa: F811
    registry.create(base_record(), actor="ana", source="ui")
    assert deployment(sim)["spec"]["replicas"] == 2
    cluster.set_enabled("ml-prod", "fraud-scorer", False, actor="oncall", source="ui")
    assert deployment(sim)["spec"]["replicas"] == 0
    cluster.set_enabled("ml-prod", "fraud-scorer", True, actor="oncall", source="ui")
    cluster.set_replicas("ml-prod", "fraud-scorer", 5, actor="oncall", source="cli")
    assert deployment(sim)["spec"]["replicas"] == 5
    assert [r.action for r in registry.history("fraud-scorer")][:3] == ["scale", "toggle", "toggle"]
    registry.delete("ml-prod", "fraud-scorer", actor="ana", source="ui")
    assert deployment(sim) is None


def test_refused_change_saves_nothing_and_says_why(cluster, registry, sim) -> None:  # noqa: F811
    registry.create(base_record(), actor="ana", source="ui")
    sim.faults.forbidden_namespaces.add("ml-prod")
    with pytest.raises(ClusterWriteError, match="forbidden.*nothing was saved"):
        cluster.set_replicas("ml-prod", "fraud-scorer", 4, actor="oncall", source="ui")
    assert registry.get("fraud-scorer").spec.replicas == 2
    assert len(registry.history("fraud-scorer")) == 1
    with pytest.raises(ClusterWriteError, match="record was kept"):
        registry.delete("ml-prod", "fraud-scorer", actor="ana", source="ui")
    assert registry.find("fraud-scorer") is not None
    sim.faults.forbidden_namespaces.clear()
    assert deployment(sim)["spec"]["replicas"] == 2


def test_failed_create_leaves_no_record_and_no_objects(cluster, registry, sim) -> None:  # noqa: F811
    sim.faults.forbidden_namespaces.add("ml-new")
    with pytest.raises(ClusterWriteError):
        registry.create(base_record(namespace="ml-new"), actor="ana", source="ui")
    assert registry.find("fraud-scorer", "ml-new") is None
    sim.faults.forbidden_namespaces.clear()
    assert sim.get_object("Deployment", "ml-new", "fraud-scorer") is None


def test_reapply_fixes_drift_and_is_idempotent(cluster, registry, sim) -> None:  # noqa: F811
    registry.create(base_record(), actor="ana", source="ui")
    cluster.gateway.scale("ml-prod", "fraud-scorer", 7)  # someone used kubectl
    report = cluster.reapply("ml-prod", "fraud-scorer")
    assert report.ok and report.writes == 1 and deployment(sim)["spec"]["replicas"] == 2
    assert cluster.reapply("ml-prod", "fraud-scorer").message == "already in sync"

"""Saving a record: dry run first (a refusal saves nothing), then commit, then reconcile.

Everything goes through the official client to the simulator over HTTP."""

from __future__ import annotations

import pytest

from barista_ui.cluster.status import FleetStatus
from barista_ui.records.registry import NotFound
from barista_ui.records.replicas import desired_replicas
from barista_ui.records.service import ClusterRefused
from k8s.live import LiveState
from k8s.simulator import SimulatorConfig, start_simulator
from k8s.simulator.api import BY_PLURAL
from tests.actors import ANA, ONCALL, A
from tests.apprunner import free_port
from tests.cluster.reconcile_fixtures import wire, wired  # noqa: F401
from tests.conftest import base_record
from tests.k8s_fixtures import FAST, eventually, sim  # noqa: F401

KEY = ("ml-prod", "fraud-scorer")


def deployment(sim, namespace="ml-prod", name="fraud-scorer"):  # noqa: F811
    return sim.get_object("Deployment", namespace, name)


def test_create_toggle_scale_delete_follow_the_record(wired, sim) -> None:  # noqa: F811
    models, reconciler = wired.models, wired.reconciler
    reconciler.start()
    saved = models.create(base_record(), actor=ANA, source="ui")
    assert not saved.pending and saved.notice == ""
    eventually(lambda: deployment(sim) and deployment(sim)["spec"]["replicas"] == 2)
    models.set_enabled("ml-prod", "fraud-scorer", False, actor=ONCALL, source="ui")
    eventually(lambda: deployment(sim)["spec"]["replicas"] == 0)
    models.set_enabled("ml-prod", "fraud-scorer", True, actor=ONCALL, source="ui")
    models.set_replicas("ml-prod", "fraud-scorer", 5, actor=ONCALL, source="cli")
    eventually(lambda: deployment(sim)["spec"]["replicas"] == 5)
    history = wired.registry.history("fraud-scorer")
    assert [r.action for r in history][:3] == ["scale", "toggle", "toggle"]
    models.delete("ml-prod", "fraud-scorer", actor=ANA, source="ui")
    eventually(lambda: deployment(sim) is None)
    eventually(lambda: reconciler.state(KEY) is None, what="no Pending left")


def test_refused_dry_run_saves_nothing_and_names_object_and_reason(wired, sim) -> None:  # noqa: F811
    models, registry = wired.models, wired.registry
    models.create(base_record(), actor=ANA, source="ui")
    assert wired.reconciler.reconcile_now(KEY).ok
    sim.faults.forbidden_namespaces.add("ml-prod")
    sim.reset_request_log()
    with pytest.raises(ClusterRefused) as refused:
        models.set_replicas("ml-prod", "fraud-scorer", 4, actor=ONCALL, source="ui")
    message = str(refused.value)
    assert "ml-prod/fraud-scorer" in message and "forbidden" in message
    assert "Deployment ml-prod/fraud-scorer" in message and "nothing was saved" in message
    assert registry.get("fraud-scorer").spec.replicas == 2
    assert len(registry.history("fraud-scorer")) == 1
    assert wired.reconciler.state(KEY) is None  # nothing handed to the reconciler
    with pytest.raises(ClusterRefused, match="refused deleting ml-prod/fraud-scorer"):
        models.delete("ml-prod", "fraud-scorer", actor=ANA, source="ui")
    assert registry.find("fraud-scorer") is not None
    sim.faults.forbidden_namespaces.clear()
    assert sim.write_count() == 0 and deployment(sim)["spec"]["replicas"] == 2


def test_refused_create_leaves_no_record_no_revision_no_objects(wired, sim) -> None:  # noqa: F811
    # an existing namespace the service account may not write to
    sim.api.create(BY_PLURAL["namespaces"], "", {"metadata": {"name": "ml-locked"}})
    sim.faults.forbidden_namespaces.add("ml-locked")
    with pytest.raises(ClusterRefused, match="ml-locked/fraud-scorer.*forbidden"):
        wired.models.create(base_record(namespace="ml-locked"), actor=ANA, source="ui")
    assert wired.registry.find("fraud-scorer", "ml-locked") is None
    with pytest.raises(NotFound):
        wired.registry.history("fraud-scorer", "ml-locked")
    sim.faults.forbidden_namespaces.clear()
    assert deployment(sim, "ml-locked") is None


def test_refused_by_the_servers_validation(wired, sim, monkeypatch) -> None:  # noqa: F811
    """The record accepts an owner a stricter apiserver does not (Barista keeps owners within
    Kubernetes' 256 KiB of annotations, so this server allows 200 bytes)."""
    import k8s.simulator.api as sim_api

    models, registry = wired.models, wired.registry
    models.create(base_record(), actor=ANA, source="ui")
    assert wired.reconciler.reconcile_now(KEY).ok
    sim.reset_request_log()
    monkeypatch.setattr(sim_api, "MAX_ANNOTATIONS_BYTES", 200)
    huge = base_record(owner="o" * 240 + "@example.com")
    with pytest.raises(ClusterRefused) as refused:
        models.update("ml-prod", "fraud-scorer", huge, expected_version=1, actor=A, source="ui")
    message = str(refused.value)
    assert "Deployment ml-prod/fraud-scorer is invalid" in message
    assert "metadata.annotations: Too long" in message
    assert registry.get("fraud-scorer").version == 1
    assert len(registry.history("fraud-scorer")) == 1
    assert sim.write_count() == 0


def test_edit_while_cluster_is_down_is_pending_then_applied(registry) -> None:
    port = free_port()
    cfg = SimulatorConfig(**{**FAST.__dict__, "port": port})
    first = start_simulator(cfg)
    w = wire(registry, first.api_client())
    try:
        w.models.create(base_record(), actor=ANA, source="ui")
        assert w.reconciler.reconcile_now(KEY).ok
        first.stop()  # the cluster goes away

        saved = w.models.set_replicas("ml-prod", "fraud-scorer", 3, actor=ONCALL, source="ui")
        assert saved.pending and saved.record.spec.replicas == 3
        assert "saved; the cluster is unreachable, it will be applied when it returns" in (
            saved.notice
        )
        assert registry.get("fraud-scorer").spec.replicas == 3  # kept
        assert w.reconciler.state(KEY).state == "Pending"
        assert not w.reconciler.reconcile_now(KEY).ok
        state = w.reconciler.state(KEY)
        assert state.state == "Retrying" and "unreachable" in state.error
        assert state.next_attempt is not None

        w.reconciler.start()  # keeps retrying in the background
        second = start_simulator(cfg)  # the cluster returns on the same address
        try:
            eventually(
                lambda: (
                    second.get_object("Deployment", "ml-prod", "fraud-scorer")
                    and second.get_object("Deployment", "ml-prod", "fraud-scorer")["spec"][
                        "replicas"
                    ]
                    == 3
                ),
                timeout=15,
                what="the saved change applied after the cluster returned",
            )
            eventually(lambda: w.reconciler.state(KEY) is None)
            live = LiveState(second.api_client(), coalesce_s=0.01)
            live.start()
            try:
                live.wait_until(lambda s: s.synced, 10)
                status = FleetStatus(desired_replicas, live, w.reconciler.state)
                rec = registry.get("fraud-scorer")
                eventually(lambda: status.row(rec).status == "Synced", what="Synced")
            finally:
                live.stop()
        finally:
            second.stop()
    finally:
        w.reconciler.stop()

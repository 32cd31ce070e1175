"""Server-side apply and delete options on the simulator, through the official client over HTTP."""

from __future__ import annotations

import json

import pytest
from kubernetes import client
from kubernetes.client import ApiException

from k8s.managed_fields import decode, field_path, last_setter
from tests.k8s.test_simulator import deployment
from tests.k8s_fixtures import eventually, sim  # noqa: F401

NS = "ml"
APPLY = "application/apply-patch+yaml"


@pytest.fixture
def apis(sim):  # noqa: F811
    api = sim.api_client()
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    core.create_namespace({"metadata": {"name": NS}})
    return core, apps


def apply(apps, body: dict, manager: str, **kw):
    return apps.patch_namespaced_deployment(
        body["metadata"]["name"], NS, body, field_manager=manager, _content_type=APPLY, **kw
    )


def owned(apps, name: str, manager: str) -> set:
    obj = apps.api_client.sanitize_for_serialization(apps.read_namespaced_deployment(name, NS))
    entries = [e for e in obj["metadata"]["managedFields"] if e["manager"] == manager]
    return decode(entries[0]["fieldsV1"]) if entries else set()


def test_apply_creates_then_owns_exactly_the_applied_fields(sim, apis) -> None:  # noqa: F811
    _core, apps = apis
    created = apply(apps, deployment("m1"), "ci")
    entry = created.metadata.managed_fields[0]
    assert (entry.manager, entry.operation) == ("ci", "Apply")
    mine = owned(apps, "m1", "ci")
    assert field_path("spec", "replicas") in mine
    assert field_path("spec", "revisionHistoryLimit") not in mine  # defaulted, not applied
    # a second apply without the label removes it: the manager no longer applies it
    body = deployment("m1", labels={"team": "a"})
    apply(apps, body, "ci")
    assert apps.read_namespaced_deployment("m1", NS).metadata.labels["team"] == "a"
    apply(apps, deployment("m1"), "ci")
    assert "team" not in (apps.read_namespaced_deployment("m1", NS).metadata.labels or {})


def test_apply_conflicts_name_field_and_manager_unless_forced(sim, apis) -> None:  # noqa: F811
    _core, apps = apis
    apply(apps, deployment("m1", replicas=2), "ci")
    apps.patch_namespaced_deployment_scale("m1", NS, {"spec": {"replicas": 5}}, field_manager="ops")
    with pytest.raises(ApiException) as refused:
        apply(apps, deployment("m1", replicas=2, image="x:2"), "ci")
    assert refused.value.status == 409
    status = json.loads(refused.value.body)
    assert status["reason"] == "Conflict"
    assert status["message"] == (
        'Apply failed with 1 conflict: conflict with "ops" using apps/v1: .spec.replicas'
    )
    assert [c["field"] for c in status["details"]["causes"]] == [".spec.replicas"]
    assert apps.read_namespaced_deployment("m1", NS).spec.replicas == 5  # nothing applied
    # the same value is shared ownership, not a conflict
    apply(apps, deployment("m1", replicas=5), "ci")
    forced = apply(apps, deployment("m1", replicas=2, image="x:2"), "ci", force=True)
    assert forced.spec.replicas == 2
    obj = apps.api_client.sanitize_for_serialization(forced)
    assert last_setter(obj, field_path("spec", "replicas")).manager == "ci"
    assert field_path("spec", "replicas") not in owned(apps, "m1", "ops")


def test_apply_needs_a_field_manager_and_matching_kind(sim, apis) -> None:  # noqa: F811
    _core, apps = apis
    with pytest.raises(ApiException) as no_manager:
        apps.patch_namespaced_deployment("m1", NS, deployment("m1"), _content_type=APPLY)
    assert no_manager.value.status == 400 and "fieldManager is required" in no_manager.value.body
    with pytest.raises(ApiException) as wrong_kind:
        apply(apps, {**deployment("m1"), "kind": "ReplicaSet"}, "ci")
    assert wrong_kind.value.status == 400


def test_delete_preconditions_and_propagation(sim, apis) -> None:  # noqa: F811
    _core, apps = apis
    apps.create_namespaced_deployment(NS, deployment("m1", replicas=1))
    rs = eventually(lambda: sim.list_objects("ReplicaSet", NS), what="a ReplicaSet")
    with pytest.raises(ApiException) as stale:
        apps.delete_namespaced_deployment("m1", NS, body={"preconditions": {"uid": "not-the-uid"}})
    assert stale.value.status == 409 and "Precondition failed: UID" in stale.value.body
    with pytest.raises(ApiException) as old_rv:
        apps.delete_namespaced_deployment(
            "m1", NS, body={"preconditions": {"resourceVersion": "1"}}
        )
    assert old_rv.value.status == 409
    # Orphan: the Deployment goes, its ReplicaSet stays without an owner reference
    apps.delete_namespaced_deployment("m1", NS, body={"propagationPolicy": "Orphan"})
    kept = sim.get_object("ReplicaSet", NS, rs[0]["metadata"]["name"])
    assert kept is not None and not kept["metadata"].get("ownerReferences")
    # Foreground: dependents are gone before the owner is
    apps.create_namespaced_deployment(NS, deployment("m2", replicas=1))
    eventually(
        lambda: [p for p in sim.list_objects("Pod", NS) if p["metadata"]["name"].startswith("m2-")]
    )
    apps.delete_namespaced_deployment("m2", NS, body={"propagationPolicy": "Foreground"})
    assert sim.get_object("Deployment", NS, "m2") is None
    assert not [
        r for r in sim.list_objects("ReplicaSet", NS) if r["metadata"]["name"].startswith("m2-")
    ]
    assert not [p for p in sim.list_objects("Pod", NS) if p["metadata"]["name"].startswith("m2-")]
    with pytest.raises(ApiException) as bad:
        apps.delete_namespaced_deployment("m1x", NS, body={"propagationPolicy": "Sometimes"})
    assert bad.value.status == 422  # options are checked before the object is looked up


def test_finalizers_keep_the_object_until_removed(sim, apis) -> None:  # noqa: F811
    core, _apps = apis
    core.create_namespaced_config_map(
        NS, {"metadata": {"name": "c1", "finalizers": ["example.com/keep"]}, "data": {"a": "1"}}
    )
    core.delete_namespaced_config_map("c1", NS)
    held = core.read_namespaced_config_map("c1", NS)
    assert held.metadata.deletion_timestamp is not None
    with pytest.raises(ApiException) as more:
        core.patch_namespaced_config_map(
            "c1", NS, {"metadata": {"finalizers": ["example.com/keep", "x.io/another"]}}
        )
    assert more.value.status == 422
    core.patch_namespaced_config_map("c1", NS, {"metadata": {"finalizers": None}})
    with pytest.raises(ApiException) as gone:
        core.read_namespaced_config_map("c1", NS)
    assert gone.value.status == 404


def test_deletecollection_with_a_label_selector(sim, apis) -> None:  # noqa: F811
    core, _apps = apis
    for name, team in (("a", "x"), ("b", "x"), ("c", "y")):
        core.create_namespaced_config_map(
            NS, {"metadata": {"name": name, "labels": {"team": team}}}
        )
    # the apiserver answers with the list of the deleted objects
    raw = core.delete_collection_namespaced_config_map(
        NS, label_selector="team=x", _preload_content=False
    )
    out = json.loads(raw.data)
    assert out["kind"] == "ConfigMapList"
    assert sorted(i["metadata"]["name"] for i in out["items"]) == ["a", "b"]
    assert [c.metadata.name for c in core.list_namespaced_config_map(NS).items] == ["c"]


def test_dry_run_apply_and_deletecollection_store_nothing(sim, apis) -> None:  # noqa: F811
    core, apps = apis
    out = apply(apps, deployment("m1"), "ci", dry_run="All")
    assert out.metadata.name == "m1" and out.metadata.managed_fields[0].operation == "Apply"
    assert sim.get_object("Deployment", NS, "m1") is None
    core.create_namespaced_config_map(NS, {"metadata": {"name": "a", "labels": {"t": "x"}}})
    core.delete_collection_namespaced_config_map(
        NS, label_selector="t=x", dry_run="All", _preload_content=False
    )
    assert sim.get_object("ConfigMap", NS, "a") is not None
    assert sim.write_count(verb="deletecollection") == 0

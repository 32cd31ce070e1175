"""Lists on the simulator as a real apiserver serves them: consistent-snapshot paging and the
field selectors each resource supports. Through the official client over HTTP."""

from __future__ import annotations

import json

import pytest
from kubernetes import client
from kubernetes.client import ApiException

from tests.k8s.test_simulator import deployment
from tests.k8s_fixtures import eventually, sim  # noqa: F401

NS = "ml"


@pytest.fixture
def core(sim):  # noqa: F811
    api = client.CoreV1Api(sim.api_client())
    api.create_namespace({"metadata": {"name": NS}})
    return api


def names(items) -> list[str]:
    return [i.metadata.name for i in items]


def test_paging_is_a_consistent_snapshot(sim, core) -> None:  # noqa: F811
    for i in range(10):
        core.create_namespaced_config_map(NS, {"metadata": {"name": f"c{i}"}, "data": {"v": "0"}})
    first = core.list_namespaced_config_map(NS, limit=4)
    assert names(first.items) == ["c0", "c1", "c2", "c3"]
    assert first.metadata.remaining_item_count == 6
    token = json.loads(__import__("base64").urlsafe_b64decode(first.metadata._continue))
    assert token["rv"] == int(first.metadata.resource_version)
    # between pages: deletions (before and after the cursor), a change and a new object
    core.delete_namespaced_config_map("c0", NS)
    core.delete_namespaced_config_map("c5", NS)
    core.patch_namespaced_config_map("c6", NS, {"data": {"v": "changed"}})
    core.create_namespaced_config_map(NS, {"metadata": {"name": "c45"}})
    second = core.list_namespaced_config_map(NS, limit=4, _continue=first.metadata._continue)
    assert names(second.items) == ["c4", "c5", "c6", "c7"]  # as they were at the first page
    assert second.items[2].data == {"v": "0"}
    assert second.metadata.resource_version == first.metadata.resource_version
    third = core.list_namespaced_config_map(NS, limit=4, _continue=second.metadata._continue)
    assert names(third.items) == ["c8", "c9"] and not third.metadata._continue
    # a fresh list sees today's objects
    assert "c45" in names(core.list_namespaced_config_map(NS).items)


def test_an_expired_continue_token_is_410(sim, core) -> None:  # noqa: F811
    for i in range(3):
        core.create_namespaced_config_map(NS, {"metadata": {"name": f"c{i}"}})
    first = core.list_namespaced_config_map(NS, limit=1)
    core.create_namespaced_config_map(NS, {"metadata": {"name": "later"}})
    sim.compact()
    with pytest.raises(ApiException) as expired:
        core.list_namespaced_config_map(NS, limit=1, _continue=first.metadata._continue)
    assert expired.value.status == 410 and '"Expired"' in expired.value.body
    with pytest.raises(ApiException) as garbage:
        core.list_namespaced_config_map(NS, limit=1, _continue="not-a-token")
    assert garbage.value.status == 400


def test_field_selectors_on_events_and_pods(sim, core) -> None:  # noqa: F811
    apps = client.AppsV1Api(core.api_client)
    apps.create_namespaced_deployment(NS, deployment("m1", replicas=2))

    def both_running() -> list | None:  # both, not the first of two: the set is compared below
        running = [p for p in sim.list_objects("Pod", NS) if p["status"].get("phase") == "Running"]
        return running if len(running) == 2 else None

    pods = eventually(both_running, what="two pods running")
    node = pods[0]["spec"]["nodeName"]
    on_node = core.list_namespaced_pod(NS, field_selector=f"spec.nodeName={node}").items
    assert on_node and all(p.spec.node_name == node for p in on_node)
    running = core.list_namespaced_pod(NS, field_selector="status.phase=Running").items
    assert {p.metadata.name for p in running} == {p["metadata"]["name"] for p in pods}
    assert core.list_namespaced_pod(NS, field_selector="status.phase=Failed").items == []
    dep = sim.get_object("Deployment", NS, "m1")
    selector = (
        f"involvedObject.kind=Deployment,involvedObject.name=m1,involvedObject.namespace={NS},"
        f"involvedObject.uid={dep['metadata']['uid']},reason=ScalingReplicaSet,type=Normal,"
        "source=deployment-controller"
    )
    events = eventually(lambda: core.list_namespaced_event(NS, field_selector=selector).items)
    assert all(e.involved_object.name == "m1" and e.reason == "ScalingReplicaSet" for e in events)
    others = core.list_namespaced_event(NS, field_selector="involvedObject.kind!=Deployment")
    assert all(e.involved_object.kind != "Deployment" for e in others.items)
    assert core.list_namespaced_event(NS, field_selector="type=Warning").items == []


def test_unsupported_field_selectors_are_400(sim, core) -> None:  # noqa: F811
    for call, selector in (
        (core.list_namespaced_pod, "reason=Started"),  # an event field, not a pod's
        (core.list_namespaced_event, "spec.nodeName=n1"),
        (core.list_namespaced_config_map, "data.v=1"),
    ):
        with pytest.raises(ApiException) as bad:
            call(NS, field_selector=selector)
        assert bad.value.status == 400 and "field label not supported" in bad.value.body

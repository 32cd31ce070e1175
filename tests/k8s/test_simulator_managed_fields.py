"""``metadata.managedFields`` on the simulator, read through the official client over HTTP: who
set a field, with which operation and when, encoded as FieldsV1 like a real apiserver."""

from __future__ import annotations

import pytest
from kubernetes import client

from k8s.managed_fields import decode, field_path, flatten, last_setter, path_text
from tests.k8s.test_simulator import deployment
from tests.k8s_fixtures import eventually, sim  # noqa: F401

NS = "ml"
IMAGE = field_path("spec", "template", "spec", "containers", {"name": "model"}, "image")


@pytest.fixture
def apps(sim):  # noqa: F811
    api = sim.api_client()
    client.CoreV1Api(api).create_namespace({"metadata": {"name": NS}})
    return client.AppsV1Api(api)


def raw(apps, name: str) -> dict:
    obj = apps.read_namespaced_deployment(name, NS)
    return apps.api_client.sanitize_for_serialization(obj)


def entry(obj: dict, manager: str, subresource: str = "") -> dict:
    found = [
        e
        for e in obj["metadata"]["managedFields"]
        if e["manager"] == manager and e.get("subresource", "") == subresource
    ]
    assert len(found) == 1, obj["metadata"]["managedFields"]
    return found[0]


def test_create_records_the_client_user_agent_as_manager_with_fieldsv1(sim, apps) -> None:  # noqa: F811
    apps.create_namespaced_deployment(NS, deployment("m1"))
    obj = raw(apps, "m1")
    mine = entry(obj, "OpenAPI-Generator")  # the python client's User-Agent prefix
    assert mine["operation"] == "Update" and mine["apiVersion"] == "apps/v1"
    assert mine["fieldsType"] == "FieldsV1" and mine["time"]
    fields = mine["fieldsV1"]
    container = fields["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"model"}']
    assert "." in container and "f:image" in container and container["f:image"] == {}
    assert fields["f:spec"]["f:selector"] == {}  # a label selector is atomic
    assert "f:uid" not in fields.get("f:metadata", {})  # system fields are nobody's

    # the controller writes status through the status subresource, as its own manager
    # (one read for both sides: the status moves on while the pods start)
    def status_written() -> dict | None:
        obj = raw(apps, "m1")
        return obj if any(e.get("subresource") for e in managed(obj)) else None

    written = eventually(status_written)
    status = [e for e in managed(written) if e.get("subresource")]
    assert status[0]["manager"] == "kube-controller-manager"
    assert set(decode(status[0]["fieldsV1"])) <= set(flatten(written, "status"))


def managed(obj: dict) -> list[dict]:
    return obj["metadata"]["managedFields"]


def test_a_changed_image_belongs_to_the_manager_that_changed_it(sim, apps) -> None:  # noqa: F811
    apps.create_namespaced_deployment(NS, deployment("m1"))
    assert last_setter(raw(apps, "m1"), IMAGE).manager == "OpenAPI-Generator"
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "model", "image": "x:2"}]}}}}
    apps.patch_namespaced_deployment("m1", NS, patch, field_manager="someone-else")
    obj = raw(apps, "m1")
    who = last_setter(obj, IMAGE)
    assert who is not None and who.manager == "someone-else" and who.operation == "Update"
    assert who.time == entry(obj, "someone-else")["time"]
    # the image left the creator's set; fields the patch did not change stayed with the creator
    creator = decode(entry(obj, "OpenAPI-Generator")["fieldsV1"])
    assert IMAGE not in creator and field_path("spec", "replicas") in creator
    assert path_text(IMAGE) == '.spec.template.spec.containers[name="model"].image'


def test_scale_subresource_and_no_op_updates(sim, apps) -> None:  # noqa: F811
    apps.create_namespaced_deployment(NS, deployment("m1"))
    apps.patch_namespaced_deployment_scale("m1", NS, {"spec": {"replicas": 4}}, field_manager="hpa")
    obj = raw(apps, "m1")
    scaler = entry(obj, "hpa", "scale")
    assert decode(scaler["fieldsV1"]) == {field_path("spec", "replicas")}
    assert last_setter(obj, field_path("spec", "replicas")).manager == "hpa"
    # writing the same value again (an Update that changes nothing) gives no ownership
    apps.patch_namespaced_deployment("m1", NS, {"spec": {"replicas": 4}}, field_manager="other")
    again = raw(apps, "m1")
    assert not [e for e in again["metadata"]["managedFields"] if e["manager"] == "other"]
    assert last_setter(again, field_path("spec", "replicas")).manager == "hpa"


def test_field_manager_is_validated(sim, apps) -> None:  # noqa: F811
    with pytest.raises(client.ApiException) as bad:
        apps.create_namespaced_deployment(NS, deployment("m1"), field_manager="x" * 200)
    assert bad.value.status == 422 and "fieldManager" in bad.value.body

"""What kubectl and other clients read from the simulator besides objects: discovery with short
names, OpenAPI v3, server-side tables, field validation, pod logs, watch bookmarks, honest errors
and the request log. Through the official client over HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from kubernetes import client, watch
from kubernetes.client import ApiException

from tests.k8s.test_simulator import deployment
from tests.k8s_fixtures import eventually, sim  # noqa: F401

NS = "ml"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


@pytest.fixture
def api(sim):  # noqa: F811
    api = sim.api_client()
    client.CoreV1Api(api).create_namespace({"metadata": {"name": NS}})
    return api


def request(
    sim,  # noqa: F811
    path: str,
    accept: str = "application/json",
    body=None,
    method=None,
    ctype=None,
    **query,
):
    """One HTTP request with the simulator's token and CA: (status, headers, body text)."""
    url = sim.url + path + ("?" + urllib.parse.urlencode(query) if query else "")
    headers = {"Accept": accept, "Authorization": f"Bearer {sim.config.token}"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = ctype or "application/json"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, context=sim.client_ssl_context()) as resp:
            return resp.status, resp.headers, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read().decode()


def running_pod(sim, name: str) -> dict:  # noqa: F811
    return eventually(
        lambda: next(
            (
                p
                for p in sim.list_objects("Pod", NS)
                if p["metadata"]["name"].startswith(f"{name}-")
                and p["status"].get("phase") == "Running"
            ),
            None,
        ),
        what=f"a running pod of {name}",
    )


def test_discovery_short_names_and_openapi_v3(sim, api) -> None:  # noqa: F811
    core = {r.name: r for r in client.CoreV1Api(api).get_api_resources().resources}
    apps = {r.name: r for r in client.AppsV1Api(api).get_api_resources().resources}
    assert core["pods"].short_names == ["po"] and core["services"].short_names == ["svc"]
    assert core["namespaces"].short_names == ["ns"] and core["events"].short_names == ["ev"]
    assert apps["deployments"].short_names == ["deploy"] and apps["replicasets"].short_names == [
        "rs"
    ]
    assert "deletecollection" in apps["deployments"].verbs and "pods/log" in core
    status, _, body = request(sim, "/openapi/v3")
    index = json.loads(body)["paths"]
    assert status == 200 and {"api/v1", "apis/apps/v1", "apis/autoscaling/v2"} <= set(index)
    status, _, body = request(sim, index["apis/apps/v1"]["serverRelativeURL"])
    doc = json.loads(body)
    patch = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert patch["x-kubernetes-group-version-kind"]["kind"] == "Deployment"
    assert "fieldValidation" in {p["name"] for p in patch["parameters"]}
    assert request(sim, "/openapi/v3/apis/nothing/v1")[0] == 404


def test_server_side_table_output(sim, api) -> None:  # noqa: F811
    client.AppsV1Api(api).create_namespaced_deployment(NS, deployment("m1", replicas=1))
    running_pod(sim, "m1")
    status, _, body = request(sim, f"/apis/apps/v1/namespaces/{NS}/deployments", TABLE)
    table = json.loads(body)
    assert status == 200 and table["kind"] == "Table"
    columns = [c["name"] for c in table["columnDefinitions"]]
    assert columns[:5] == ["Name", "Ready", "Up-to-date", "Available", "Age"]
    assert table["rows"][0]["cells"][0] == "m1"
    assert table["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
    _, _, body = request(sim, f"/api/v1/namespaces/{NS}/pods", TABLE, includeObject="Object")
    pods = json.loads(body)
    assert [c["name"] for c in pods["columnDefinitions"]][:3] == ["Name", "Ready", "Status"]
    assert pods["rows"][0]["cells"][1:3] == ["1/1", "Running"]
    assert pods["rows"][0]["object"]["kind"] == "Pod"
    # a plain client still gets plain objects
    assert json.loads(request(sim, f"/api/v1/namespaces/{NS}/pods")[2])["kind"] == "PodList"


def test_pod_logs_are_text_with_tail_and_container_checks(sim, api) -> None:  # noqa: F811
    core = client.CoreV1Api(api)
    client.AppsV1Api(api).create_namespaced_deployment(NS, deployment("m1", replicas=1))
    pod = running_pod(sim, "m1")["metadata"]["name"]
    text = core.read_namespaced_pod_log(pod, NS)
    assert text.startswith("INFO starting model (registry.example.com/m:1)\n")
    assert "kind" not in text  # not the pod's JSON
    assert core.read_namespaced_pod_log(pod, NS, tail_lines=1).count("\n") == 1
    stamped = core.read_namespaced_pod_log(pod, NS, timestamps=True, tail_lines=1)
    assert stamped[:4].isdigit() and "Z INFO" in stamped
    with pytest.raises(ApiException) as wrong:
        core.read_namespaced_pod_log(pod, NS, container="sidecar")
    assert wrong.value.status == 400 and "is not valid for pod" in wrong.value.body
    with pytest.raises(ApiException) as previous:
        core.read_namespaced_pod_log(pod, NS, previous=True)
    assert previous.value.status == 400


def test_pod_log_follow_streams_until_the_pod_goes(sim, api) -> None:  # noqa: F811
    core = client.CoreV1Api(api)
    client.AppsV1Api(api).create_namespaced_deployment(NS, deployment("m1", replicas=1))
    pod = running_pod(sim, "m1")["metadata"]["name"]
    resp = core.read_namespaced_pod_log(pod, NS, follow=True, _preload_content=False)
    chunks = resp.read_chunked()
    first = next(chunks).decode()
    assert first.startswith("INFO starting model") and resp.headers["Content-Type"] == "text/plain"
    core.delete_namespaced_pod(pod, NS)
    rest = b"".join(chunks)  # the stream ends once the pod is gone
    assert b"starting" not in rest
    resp.release_conn()


def test_field_validation_strict_warn_and_pruning(sim, api) -> None:  # noqa: F811
    apps = client.AppsV1Api(api)
    body = deployment("m1")
    body["spec"]["bogus"] = 1
    path = f"/apis/apps/v1/namespaces/{NS}/deployments"
    # raw requests: the client's own models refuse the unknown field before sending
    status, _, text = request(sim, path, body=body, fieldValidation="Strict")
    assert status == 400
    assert json.loads(text)["message"] == 'strict decoding error: unknown field "spec.bogus"'
    assert apps.list_namespaced_deployment(NS).items == []
    status, headers, _ = request(sim, path, body=body)  # Warn, the default
    assert status == 201 and 'unknown field \\"spec.bogus\\"' in headers["Warning"]
    assert "bogus" not in sim.get_object("Deployment", NS, "m1")["spec"]  # dropped


def test_unknown_subresources_and_media_types_answer_with_a_status(sim, api) -> None:  # noqa: F811
    client.AppsV1Api(api).create_namespaced_deployment(NS, deployment("m1", replicas=1))
    status, _, body = request(sim, f"/apis/apps/v1/namespaces/{NS}/deployments/m1/rollback")
    assert status == 404 and json.loads(body)["kind"] == "Status"
    path = f"/apis/apps/v1/namespaces/{NS}/deployments/m1"
    assert request(sim, path, body={}, method="PATCH", ctype="text/plain")[0] == 415
    assert request(sim, path, body={}, method="POST")[0] == 405  # create names no object
    assert request(sim, path + "/scale", method="DELETE")[0] == 405
    with pytest.raises(ApiException) as bad_option:
        client.CoreV1Api(api).list_namespaced_pod(NS, field_selector="spec.image=x")
    assert bad_option.value.status == 400


def test_send_initial_events_ends_with_the_bookmark(sim, api) -> None:  # noqa: F811
    core = client.CoreV1Api(api)
    for name in ("a", "b"):
        core.create_namespaced_config_map(NS, {"metadata": {"name": name}})
    seen = []
    for ev in watch.Watch().stream(
        core.list_namespaced_config_map,
        NS,
        send_initial_events=True,
        resource_version_match="NotOlderThan",
        allow_watch_bookmarks=True,
        timeout_seconds=5,
    ):
        seen.append(ev)
        if ev["type"] == "BOOKMARK":
            break
    assert [e["type"] for e in seen] == ["ADDED", "ADDED", "BOOKMARK"]
    bookmark = seen[-1]["raw_object"]["metadata"]
    assert bookmark["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert int(bookmark["resourceVersion"]) >= max(
        int(e["object"].metadata.resource_version) for e in seen[:2]
    )
    with pytest.raises(ApiException) as refused:
        next(
            iter(
                watch.Watch().stream(
                    core.list_namespaced_config_map, NS, send_initial_events=True, timeout_seconds=1
                )
            )
        )
    assert refused.value.status == 422


def test_request_log_names_verb_resource_subresource_and_user_agent(sim, api) -> None:  # noqa: F811
    sim.reset_request_log()
    apps = client.AppsV1Api(api)
    apps.create_namespaced_deployment(NS, deployment("m1", replicas=1))
    apps.patch_namespaced_deployment_scale("m1", NS, {"spec": {"replicas": 2}})
    apps.list_namespaced_deployment(NS)
    log = [(r.verb, r.resource, r.subresource, r.namespace, r.status) for r in sim.requests]
    assert log == [
        ("create", "deployments", "", NS, 201),
        ("patch", "deployments", "scale", NS, 200),
        ("list", "deployments", "", NS, 200),
    ]
    assert all(r.user_agent.startswith("OpenAPI-Generator/") for r in sim.requests)

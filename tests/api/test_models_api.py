"""Models over HTTP: ETag/If-Match (one of two writers wins, the other gets 412), problem+json
with field paths, paging, merge patch, history, rollback."""

from __future__ import annotations

from fastapi.testclient import TestClient

from barista_ui.app import App
from tests.api.conftest import create
from tests.conftest import base_record

URL = "/v1/models/ml-prod/fraud-scorer"
PROBLEM = "application/problem+json"


def test_get_has_the_version_as_etag(api: TestClient) -> None:
    create(api)
    res = api.get(URL)
    assert res.status_code == 200
    assert res.headers["ETag"] == '"1"'
    body = res.json()
    assert body["version"] == 1 and body["record"]["replicas"] == 2
    assert set(base_record()) <= set(body["record"])


def test_two_writers_one_wins_the_other_gets_412(api: TestClient, barista: App) -> None:
    create(api)
    etag = api.get(URL).headers["ETag"]
    first = api.patch(URL, json={"replicas": 3}, headers={"If-Match": etag})
    second = api.patch(URL, json={"replicas": 5}, headers={"If-Match": etag})
    assert first.status_code == 200 and first.headers["ETag"] == '"2"'
    assert second.status_code == 412
    assert second.headers["content-type"].startswith(PROBLEM)
    assert second.json()["current_version"] == 2
    assert barista.registry.get("fraud-scorer", "ml-prod").spec.replicas == 3  # not overwritten


def test_writes_without_if_match_are_refused_with_428(api: TestClient) -> None:
    create(api)
    record = base_record(replicas=4)
    assert api.put(URL, json=record).status_code == 428
    assert api.patch(URL, json={"replicas": 4}).status_code == 428
    res = api.delete(URL)
    assert res.status_code == 428 and "If-Match" in res.json()["detail"]
    assert api.get(URL).json()["record"]["replicas"] == 2


def test_put_is_idempotent_and_stale_put_is_412(api: TestClient) -> None:
    create(api)
    record = base_record(replicas=4)
    first = api.put(URL, json=record, headers={"If-Match": '"1"'})
    again = api.put(URL, json=record, headers={"If-Match": '"1"'})  # a retry of the same change
    assert first.status_code == again.status_code == 200
    assert again.json()["model"]["version"] == 2
    other = api.put(URL, json=base_record(replicas=6), headers={"If-Match": '"1"'})
    assert other.status_code == 412 and other.json()["current_version"] == 2
    assert len(api.get(URL + "/history").json()) == 2  # create + one update


def test_validation_problem_names_the_field_with_the_service_message(api: TestClient) -> None:
    bad = base_record()
    bad["resources"]["requests"]["cpu"] = "2 cores"
    res = api.post("/v1/models", json=bad)
    assert res.status_code == 422
    assert res.headers["content-type"].startswith(PROBLEM)
    body = res.json()
    assert body["type"].endswith("/invalid-record") and body["status"] == 422
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert "is not a Kubernetes quantity" in fields["resources.requests.cpu"]
    assert api.get("/v1/models").json()["items"] == []  # nothing saved


def test_patch_merge_patch_content_type_and_field_error(api: TestClient) -> None:
    create(api)
    res = api.patch(
        URL,
        content=b'{"enabled": false, "resources": {"limits": {"cpu": "4"}}}',
        headers={"If-Match": '"1"', "Content-Type": "application/merge-patch+json"},
    )
    assert res.status_code == 200, res.text
    rec = res.json()["model"]["record"]
    assert rec["enabled"] is False and rec["resources"]["limits"] == {"cpu": "4", "memory": "4Gi"}
    bad = api.patch(URL, json={"replicas": 10_000}, headers={"If-Match": '"2"'})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "replicas"


def test_unknown_model_is_404_problem(api: TestClient) -> None:
    res = api.get("/v1/models/ml-prod/nope")
    assert res.status_code == 404 and res.json()["detail"] == (
        "no model named 'nope' in namespace 'ml-prod'"
    )


def test_create_existing_is_409(api: TestClient) -> None:
    create(api)
    res = api.post("/v1/models", json=base_record())
    assert res.status_code == 409 and "already exists" in res.json()["detail"]


def test_paging_walks_every_record_once_in_order(api: TestClient) -> None:
    names = [f"m{i:02d}" for i in range(23)]
    res = api.post(
        "/v1/models/apply", json={"records": [base_record(name=n) for n in reversed(names)]}
    )
    assert res.status_code == 200, res.text
    seen, token, pages = [], None, 0
    while True:
        params = {"limit": 10, **({"continue": token} if token else {})}
        page = api.get("/v1/models", params=params).json()
        seen += [i["name"] for i in page["items"]]
        pages += 1
        token = page["continue"]
        if not token:
            break
    assert seen == names and pages == 3
    assert api.get("/v1/models", params={"continue": "garbage!"}).status_code == 422
    one = api.get("/v1/models", params={"search": "m1", "limit": 100}).json()["items"]
    assert [i["name"] for i in one] == [f"m{i}" for i in range(10, 20)]


def test_delete_with_if_match_then_history_and_rollback_recreates(api: TestClient) -> None:
    create(api)
    stale = api.delete(URL, headers={"If-Match": '"7"'})
    assert stale.status_code == 412
    assert api.delete(URL, headers={"If-Match": '"1"'}).status_code == 200
    assert api.get(URL).status_code == 404
    hist = api.get(URL + "/history").json()
    assert [r["action"] for r in hist] == ["delete", "create"] and hist[0]["source"] == "api"
    res = api.post(URL + "/rollback", json={"revision": 1, "reason": "oops"})
    assert res.status_code == 200, res.text
    assert api.get(URL).json()["record"]["replicas"] == 2
    assert api.get(URL + "/revisions/3").json()["action"] == "rollback"
    diff = api.get(URL + "/diff", params={"from": 1, "to": 2}).json()
    assert diff["from_revision"] == 1 and diff["changes"]


def test_actor_header_is_recorded_without_authentication(api: TestClient) -> None:
    api.post("/v1/models", json=base_record(), headers={"X-Barista-Actor": "li"})
    assert api.get(URL + "/history").json()[0]["actor"] == "li"


def test_without_authentication_cookies_need_no_csrf_header(api: TestClient) -> None:
    api.get("/v1/csrf")  # a client that keeps cookies (a script's session, the page's)
    assert api.cookies
    assert api.post("/v1/models", json=base_record()).status_code == 201


def test_manifests_and_status_without_cluster(api: TestClient) -> None:
    create(api)
    kinds = [o["kind"] for o in api.get(URL + "/manifests").json()["objects"]]
    assert kinds[:2] == ["Deployment", "Service"]
    status = api.get(URL + "/status").json()
    assert status["connected"] is False and status["pods"] == []

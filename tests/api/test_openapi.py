"""The OpenAPI document: every route has typed bodies (request and response), records are
documented as the record format, errors as problem documents; the docs page is served."""

from __future__ import annotations

from fastapi.testclient import TestClient

from barista_ui.api.schemas import ModelPage, ModelResource, WriteResult
from tests.api.conftest import create
from tests.conftest import base_record

WRITES = {"post", "put", "patch"}


def _typed(schema: dict) -> bool:
    """A schema that names its shape: a $ref, an array of $refs, or a typed object."""
    if "$ref" in schema:
        return True
    if schema.get("type") == "array":
        return _typed(schema.get("items", {}))
    return schema.get("type") in ("object", "string") and len(schema) > 1


def test_every_route_has_typed_bodies(api: TestClient) -> None:
    doc = api.get("/openapi.json").json()
    assert doc["info"]["title"] == "Barista API"
    ops = [(m, p, op) for p, item in doc["paths"].items() for m, op in item.items()]
    assert len(ops) >= 30
    untyped = []
    for method, path, op in ops:
        ok = [c for c in op["responses"] if c.startswith("2")]
        if not ok or not all(
            _typed(op["responses"][c]["content"]["application/json"]["schema"]) for c in ok
        ):
            untyped.append(f"{method} {path} response")
        if method in WRITES:
            content = op.get("requestBody", {}).get("content", {})
            if not content or not all(_typed(c["schema"]) for c in content.values()):
                untyped.append(f"{method} {path} request")
        problem = op["responses"].get("422", {}).get("content", {}).get("application/json", {})
        if op.get("parameters") or op.get("requestBody"):
            if problem.get("schema", {}).get("$ref") != "#/components/schemas/ProblemOut":
                untyped.append(f"{method} {path} 422")
    assert untyped == []


def test_records_are_documented_as_the_record_format(api: TestClient) -> None:
    doc = api.get("/openapi.json").json()
    one = doc["paths"]["/v1/models/{namespace}/{name}"]
    assert one["put"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ModelSpec"
    }
    assert set(one["patch"]["requestBody"]["content"]) == {
        "application/merge-patch+json",
        "application/json",
    }
    spec = doc["components"]["schemas"]["ModelSpec"]
    assert {"name", "team", "image", "replicas", "resources", "schedule"} <= set(spec["properties"])


def test_docs_page_is_served(api: TestClient) -> None:
    res = api.get("/docs")
    assert res.status_code == 200 and "swagger" in res.text.lower()
    assert "/api/openapi.json" in res.text  # the mounted path, not the sub-application's
    # Swagger UI's own files come from this server (a cluster without internet still has docs)
    assert "cdn." not in res.text and "https://" not in res.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/api/docs-assets/{asset}" in res.text
        served = api.get(f"/docs-assets/{asset}")
        assert served.status_code == 200 and len(served.content) > 100_000


def test_bodies_match_their_declared_models(api: TestClient) -> None:
    created = api.post("/v1/models", json=base_record())
    WriteResult.model_validate(created.json())
    ModelResource.model_validate(api.get("/v1/models/ml-prod/fraud-scorer").json())
    create(api, name="second")
    ModelPage.model_validate(api.get("/v1/models").json())

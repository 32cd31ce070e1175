"""``/openapi/v3``: the index of group versions and, per group version, its paths and operations.

kubectl reads it to learn that the server validates fields itself (the ``fieldValidation`` query
parameter on each kind's PATCH), so ``kubectl apply`` validates without ``--validate=false`` and
sends ``fieldValidation=Strict``. The documents carry no component schemas: kubectl then computes
strategic merge patches from its built-in types, as it does for any built-in kind.
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

from k8s.simulator.resources import RESOURCES, Resource

Obj = dict[str, Any]

WRITE_PARAMS = ("dryRun", "fieldManager", "fieldValidation")


def _gv_key(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _param(name: str, where: str = "query") -> Obj:
    return {"name": name, "in": where, "schema": {"type": "string", "uniqueItems": True}}


def _operation(res: Resource, action: str, params: tuple[str, ...], body: tuple[str, ...]) -> Obj:
    op: Obj = {
        "operationId": f"{action}{res.kind}",
        "parameters": [_param(p) for p in params],
        "responses": {"200": {"description": "OK"}},
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": {
            "group": res.group,
            "version": res.version,
            "kind": res.kind,
        },
    }
    if body:
        op["requestBody"] = {"content": {t: {"schema": {"type": "object"}} for t in body}}
    return op


def _paths(res: Resource) -> Obj:
    base = "/" + _gv_key(res.group, res.version)
    prefix = f"{base}/namespaces/{{namespace}}" if res.namespaced else base
    collection, item = f"{prefix}/{res.plural}", f"{prefix}/{res.plural}/{{name}}"
    json_body = ("application/json", "application/yaml")
    return {
        collection: {
            "get": _operation(res, "list", ("labelSelector", "fieldSelector", "limit"), ()),
            "post": _operation(res, "post", WRITE_PARAMS, json_body),
            "delete": _operation(res, "deletecollection", ("labelSelector", "dryRun"), ()),
        },
        item: {
            "get": _operation(res, "get", (), ()),
            "put": _operation(res, "put", WRITE_PARAMS, json_body),
            "patch": _operation(
                res,
                "patch",
                (*WRITE_PARAMS, "force"),
                (
                    "application/json-patch+json",
                    "application/merge-patch+json",
                    "application/apply-patch+yaml",
                ),
            ),
            "delete": _operation(res, "delete", ("dryRun", "propagationPolicy"), ()),
        },
    }


@functools.cache
def group_document(group: str, version: str) -> bytes | None:
    """The OpenAPI v3 document of one group version (None when the server has no such one)."""
    paths: Obj = {}
    for res in RESOURCES.values():
        if (res.group, res.version) == (group, version):
            paths.update(_paths(res))
    if not paths:
        return None
    doc = {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.31.0"},
        "paths": paths,
        "components": {"schemas": {}},
    }
    return json.dumps(doc, sort_keys=True).encode()


def index() -> Obj:
    """``GET /openapi/v3``: where each group version's document is."""
    out: Obj = {}
    for group, version in sorted({(r.group, r.version) for r in RESOURCES.values()}):
        doc = group_document(group, version) or b""
        digest = hashlib.sha512(doc).hexdigest()[:32].upper()
        key = _gv_key(group, version)
        out[key] = {"serverRelativeURL": f"/openapi/v3/{key}?hash={digest}"}
    return {"paths": out}


def document_for(parts: list[str]) -> bytes | None:
    """The document at ``/openapi/v3/<parts>`` (``api/v1`` or ``apis/<group>/<version>``)."""
    if parts[:1] == ["api"] and len(parts) == 2:
        return group_document("", parts[1])
    if parts[:1] == ["apis"] and len(parts) == 3:
        return group_document(parts[1], parts[2])
    return None

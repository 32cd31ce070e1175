"""One resource request: verb, options (dryRun, fieldManager), the call into the API and the
answer as a real apiserver gives it."""

from __future__ import annotations

from typing import Any

from k8s.simulator.listing import list_objects, stream_watch
from k8s.simulator.ownership import manager_for
from k8s.simulator.resources import ApiError, Resource

Obj = dict[str, Any]
METHOD_VERBS = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}


def _dry_run_in_delete_options(body: Any) -> bool:
    """kubectl sends a delete's dryRun in the DeleteOptions body rather than the query."""
    value = body.get("dryRun") if isinstance(body, dict) else None
    if not value:
        return False
    if value != ["All"]:
        raise ApiError(400, "BadRequest", f'unsupported dryRun value {value}: only ["All"]')
    return True


def _dry_run(query: dict, method: str) -> bool:
    """``dryRun=All`` on a write: validate and answer, store nothing (as the apiserver does)."""
    value = query.get("dryRun")
    if value is None or method == "GET":
        return False
    if value != "All":
        raise ApiError(400, "BadRequest", f'unsupported dryRun value "{value}": only "All"')
    return True


def _verb(method: str, name: str, query: dict) -> str:
    if method == "GET":
        if query.get("watch") in ("true", "1", "True"):
            return "watch"
        return "get" if name else "list"
    return METHOD_VERBS[method]


def serve_resource(h: Any, method: str, route: dict, query: dict) -> None:
    res: Resource = route["res"]
    ns, name, sub = route["namespace"], route["name"], route["sub"]
    verb = h.verb = _verb(method, name, query)
    h.faults(res, ns, verb)
    dry = h.dry_run = _dry_run(query, method)
    api = h.server.api
    if verb == "watch":
        h.record(route, verb, 200)
        return stream_watch(h, res, ns, query)
    manager = ""
    if method in ("POST", "PUT", "PATCH"):
        manager = manager_for(query, h.headers.get("User-Agent") or "")
    code = 200
    if verb == "list":
        result = list_objects(h.server.store, res, ns, query)
    elif verb == "get":
        obj = api._get_or_404(res, ns, name)
        result = api.scale_of(res, obj) if sub == "scale" else obj
    elif method == "POST":
        result, code = api.create(res, ns, h.body(), dry_run=dry, manager=manager), 201
    elif method == "PUT":
        result = api.update(res, ns, name, h.body(), sub, dry_run=dry, manager=manager)
    elif method == "PATCH":
        content_type = h.headers.get("Content-Type", "")
        result = api.patch(res, ns, name, h.body(), content_type, sub, dry_run=dry, manager=manager)
    else:
        dry = h.dry_run = dry or _dry_run_in_delete_options(h.body())
        result = _deleted(res, name, api.delete(res, ns, name, dry_run=dry))
    h.record(route, verb, code)
    h.send_json(code, result)


def _deleted(res: Resource, name: str, gone: Obj) -> Obj:
    if res.plural in ("services", "pods"):  # these return the deleted object
        return gone
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": {
            "name": name,
            "group": res.group,
            "kind": res.plural,
            "uid": gone["metadata"].get("uid"),
        },
    }

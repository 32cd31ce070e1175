"""One resource request: verb, options (dryRun, fieldManager), the call into the API and the
answer as a real apiserver gives it."""

from __future__ import annotations

from typing import Any

from k8s.simulator.apply import server_side_apply
from k8s.simulator.deletion import DeleteOptions, delete_options
from k8s.simulator.listing import list_objects, stream_watch
from k8s.simulator.logs import serve_log
from k8s.simulator.ownership import manager_for
from k8s.simulator.resources import ApiError, Resource
from k8s.simulator.schema import check_fields, field_validation
from k8s.simulator.tables import as_table, wants_table

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


def _check_content_type(h: Any, method: str) -> str:
    content_type = (h.headers.get("Content-Type") or "application/json").split(";")[0].strip()
    if method in ("POST", "PUT") and content_type not in ("application/json", "application/yaml"):
        raise ApiError(
            415,
            "UnsupportedMediaType",
            f"the body of the request was in an unknown format - accepted media types include: "
            f"application/json, application/yaml (got {content_type})",
        )
    return content_type


def serve_resource(h: Any, method: str, route: dict, query: dict) -> None:
    res: Resource = route["res"]
    ns, name, sub = route["namespace"], route["name"], route["sub"]
    verb = h.verb = _verb(method, name, query)
    if verb == "delete" and not name:
        verb = h.verb = "deletecollection"
    allowed = ("GET",) if sub == "log" else ("GET", "PUT", "PATCH") if sub else METHOD_VERBS
    if (
        (method in ("PUT", "PATCH") and not name)
        or (method == "POST" and name)
        or (method != "GET" and method not in allowed)
    ):
        raise ApiError(
            405,
            "MethodNotAllowed",
            f"the server does not allow this method on the "
            f"requested resource ({method} {h.path.split('?')[0]})",
        )
    h.faults(res, ns, verb)
    dry = h.dry_run = _dry_run(query, method)
    content_type = _check_content_type(h, method)
    if query.get("force") and content_type != "application/apply-patch+yaml":
        raise ApiError(
            422, "Invalid", "force: Invalid value: true: may not be specified for non-apply patch"
        )
    if verb == "watch":
        h.record(route, verb, 200)
        return stream_watch(h, res, ns, query)
    if method == "DELETE":
        opts = delete_options(h.body(), query, dry_run=dry or _dry_run_in_delete_options(h.body()))
        h.dry_run = opts.dry_run
        code, result = _delete(h.server, res, ns, name, query, opts)
    elif method == "GET" and sub == "log":
        return serve_log(h, route, query)
    elif method == "GET":
        code, result = 200, _read(h.server, res, ns, name, sub, query)
        if not sub and wants_table(h.headers.get("Accept") or ""):
            result = as_table(res, result, query.get("includeObject"))
    else:
        code, result = _write(h, method, res, route, query, content_type)
    h.record(route, verb, code)
    h.send_json(code, result)


def _read(server: Any, res: Resource, ns: str, name: str, sub: str, query: dict) -> Obj:
    if not name:
        return list_objects(server.store, res, ns, query)
    obj = server.api._peek_or_404(res, ns, name)  # only serialized: the stored one will do
    return server.api.scale_of(res, obj) if sub == "scale" else obj


def _write(
    h: Any, method: str, res: Resource, route: dict, query: dict, content_type: str
) -> tuple[int, Obj]:
    ns, name, sub, dry, api = (
        route["namespace"],
        route["name"],
        route["sub"],
        h.dry_run,
        h.server.api,
    )
    apply = content_type == "application/apply-patch+yaml"
    manager = manager_for(query, h.headers.get("User-Agent") or "", apply=apply)
    mode = field_validation(query)
    body = h.body()
    if not sub and "json-patch" not in content_type:
        h.warnings = check_fields(res, body, mode)
    if method == "POST":
        return 201, api.create(res, ns, body, dry_run=dry, manager=manager)
    if method == "PUT":
        return 200, api.update(res, ns, name, body, sub, dry_run=dry, manager=manager)
    if apply:
        if sub:
            raise ApiError(400, "BadRequest", f"apply to the {sub} subresource is not served")
        force = query.get("force") in ("true", "1")
        obj, code = server_side_apply(
            api, res, ns, name, body, manager=manager, force=force, dry_run=dry
        )
        return code, obj
    return 200, api.patch(res, ns, name, body, content_type, sub, dry_run=dry, manager=manager)


def _delete(
    server: Any, res: Resource, ns: str, name: str, query: dict, opts: DeleteOptions
) -> tuple[int, Obj]:
    if not name:  # deletecollection: the objects the selectors match, as a list
        listed = list_objects(
            server.store,
            res,
            ns,
            {k: v for k, v in query.items() if k in ("labelSelector", "fieldSelector")},
        )
        items = []
        for obj in listed["items"]:
            meta = obj["metadata"]
            try:
                items.append(
                    server.api.delete(res, meta.get("namespace", ""), meta["name"], opts)[0]
                )
            except ApiError:
                continue  # gone meanwhile, or its precondition failed
        return 200, {**listed, "items": items}
    obj, gone = server.api.delete(res, ns, name, opts)
    if not gone:  # kept for its finalizers: 202 with the object
        return 202, obj
    return 200, _deleted(res, name, obj)


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

"""HTTP front of the simulator: routes Kubernetes REST paths to the store, streams watches."""

from __future__ import annotations

import base64
import copy
import json
import random
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from k8s.simulator.api import (
    BY_PLURAL,
    RESOURCES,
    ApiError,
    Resource,
    already_exists,
    conflict,
    field_matcher,
    invalid,
    json_patch,
    label_matcher,
    merge_patch,
    not_found,
    strategic_merge_patch,
    validate,
)
from k8s.simulator.store import Gone, Store

Obj = dict[str, Any]
VERSION = {
    "major": "1",
    "minor": "31",
    "gitVersion": "v1.31.0-barista-sim",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2026-11-01T00:00:00Z",
    "goVersion": "go1.23.0",
    "compiler": "gc",
    "platform": "linux/amd64",
}


@dataclass
class Faults:
    """Injected failures; they apply to client requests, never to the simulator's controllers."""

    latency_s: float = 0.0
    error_rate_5xx: float = 0.0
    error_rate_429: float = 0.0
    watch_drop_rate: float = 0.0
    forbidden_namespaces: set[str] = field(default_factory=set)
    seed: int = 7
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)


@dataclass
class RequestRecord:
    at: float  # time.time()
    method: str
    path: str
    resource: str
    namespace: str
    name: str
    subresource: str
    verb: str
    status: int
    dry_run: bool = False  # dryRun=All: answered as a write, nothing stored


WRITE_VERBS = {"create", "update", "patch", "delete"}


class Api:
    """Request handling independent of HTTP plumbing (the controllers call it too)."""

    def __init__(self, store: Store, *, on_write=None):
        self.store = store
        self.on_write = on_write

    # -- helpers

    def _get_or_404(self, res: Resource, ns: str, name: str) -> Obj:
        obj = self.store.get(res.plural, ns, name)
        if obj is None:
            raise not_found(res, name)
        return obj

    def _check_namespace(self, res: Resource, ns: str) -> None:
        if res.namespaced and self.store.peek("namespaces", "", ns) is None:
            raise ApiError(
                404,
                "NotFound",
                f'namespaces "{ns}" not found',
                name=ns,
                res=BY_PLURAL["namespaces"],
            )

    def _prepare(self, res: Resource, ns: str, obj: Obj) -> Obj:
        obj = copy.deepcopy(obj)
        obj["apiVersion"], obj["kind"] = res.api_version, res.kind
        meta = obj.setdefault("metadata", {})
        if res.namespaced:
            meta["namespace"] = ns
        meta.setdefault("labels", {})
        if res.plural == "deployments":
            spec = obj.setdefault("spec", {})
            spec.setdefault("replicas", 1)
            spec.setdefault(
                "strategy",
                {
                    "type": "RollingUpdate",
                    "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
                },
            )
            spec.setdefault("revisionHistoryLimit", 10)
            spec.setdefault("progressDeadlineSeconds", 600)
        if res.plural == "services":
            spec = obj.setdefault("spec", {})
            spec.setdefault("type", "ClusterIP")
            spec.setdefault("clusterIP", f"10.96.{random.randint(0, 255)}.{random.randint(1, 254)}")
        if res.plural == "namespaces":
            obj.setdefault("status", {"phase": "Active"})
        return obj

    # -- verbs

    def create(self, res: Resource, ns: str, body: Obj, *, dry_run: bool = False) -> Obj:
        """Store a new object; with ``dry_run`` validate and answer the same, store nothing."""
        self._check_namespace(res, ns)
        obj = self._prepare(res, ns, body)
        meta = obj["metadata"]
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + "".join(
                random.choices("bcdfghjklmnpqrstvwxz2456789", k=5)
            )
        errs = validate(res, obj)
        if errs:
            raise invalid(res, meta.get("name", ""), errs)
        if res.plural == "deployments":
            meta["generation"] = 1
            obj.setdefault("status", {})
        for k in ("uid", "resourceVersion", "creationTimestamp"):
            meta.pop(k, None)
        if dry_run:
            if self.store.peek(res.plural, meta.get("namespace", ""), meta["name"]) is not None:
                raise already_exists(res, meta["name"])
            return self.store.preview_create(obj)
        try:
            return self.store.create(res.plural, obj)
        except KeyError:
            raise already_exists(res, meta["name"]) from None

    def update(
        self, res: Resource, ns: str, name: str, body: Obj, sub: str = "", *, dry_run: bool = False
    ) -> Obj:
        with self.store.lock:
            current = self._get_or_404(res, ns, name)
            if sub == "scale":
                return self.update_scale(res, ns, name, body, dry_run=dry_run)
            rv = (body.get("metadata") or {}).get("resourceVersion")
            if rv and rv != current["metadata"]["resourceVersion"]:
                raise conflict(res, name)
            obj = self._prepare(res, ns, body)
            if obj["metadata"].get("name") != name:
                raise ApiError(
                    400,
                    "BadRequest",
                    "the name of the object "
                    f"({obj['metadata'].get('name')}) does not match the name on the URL ({name})",
                )
            for k in ("uid", "creationTimestamp", "generation"):
                if k in current["metadata"]:
                    obj["metadata"][k] = current["metadata"][k]
            if sub == "status":
                merged = copy.deepcopy(current)
                merged["status"] = obj.get("status", {})
                obj = merged
            elif "status" in current:
                obj["status"] = current["status"]
            errs = validate(res, obj)
            if errs:
                raise invalid(res, name, errs)
            if res.plural == "deployments" and obj.get("spec") != current.get("spec"):
                obj["metadata"]["generation"] = current["metadata"].get("generation", 1) + 1
            if res.plural == "deployments" and res.plural == "deployments":
                sel_old = (current.get("spec") or {}).get("selector")
                if sel_old and (obj.get("spec") or {}).get("selector") != sel_old:
                    raise invalid(
                        res, name, [("spec.selector", "Invalid value: field is immutable")]
                    )
            if obj == current:  # a no-op update keeps the resourceVersion, as on a real server
                return current
            if dry_run:  # the object as it would be stored; the resourceVersion stays
                obj["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
                return obj
            return self.store.replace(res.plural, obj)

    def patch(
        self,
        res: Resource,
        ns: str,
        name: str,
        body: Any,
        content_type: str,
        sub: str = "",
        *,
        dry_run: bool = False,
    ) -> Obj:
        with self.store.lock:
            current = self._get_or_404(res, ns, name)
            base = self.scale_of(res, current) if sub == "scale" else current
            if "json-patch" in content_type:
                if not isinstance(body, list):
                    raise ApiError(400, "BadRequest", "json patch must be a list of operations")
                patched = json_patch(base, body)
            elif "strategic-merge-patch" in content_type:
                patched = strategic_merge_patch(base, body)
            elif "merge-patch" in content_type:
                patched = merge_patch(base, body)
            else:
                raise ApiError(
                    415,
                    "UnsupportedMediaType",
                    f"the body of the request was in an unknown format - accepted media "
                    f"types include: application/json-patch+json, application/merge-patch+json, "
                    f"application/strategic-merge-patch+json (got {content_type})",
                )
            rv = (
                (body.get("metadata") or {}).get("resourceVersion")
                if isinstance(body, dict)
                else None
            )
            if rv and rv != current["metadata"]["resourceVersion"]:
                raise conflict(res, name)
            patched.setdefault("metadata", {})["resourceVersion"] = current["metadata"][
                "resourceVersion"
            ]
            if sub == "scale":
                return self.update_scale(res, ns, name, patched, dry_run=dry_run)
            return self.update(res, ns, name, patched, sub, dry_run=dry_run)

    def delete(self, res: Resource, ns: str, name: str, *, dry_run: bool = False) -> Obj:
        with self.store.lock:
            current = self._get_or_404(res, ns, name)
            if dry_run:  # what would be deleted; nothing is, and no dependent either
                return current
            gone = self.store.delete(res.plural, ns, name)
            self._collect_garbage(gone)
            if res.plural == "namespaces":
                for r in RESOURCES.values():
                    if r.namespaced:
                        for obj in list(self.store.iter_raw(r.plural)):
                            if obj["metadata"].get("namespace") == name:
                                self.store.delete(r.plural, name, obj["metadata"]["name"])
            return gone

    def _collect_garbage(self, owner: Obj) -> None:
        """Delete dependents (ownerReferences), as the garbage collector does in background mode."""
        uid = owner["metadata"].get("uid", "")
        deps = [(p, o) for p in ("replicasets", "pods") for o in self.store.dependents(uid, p)]
        self.store.children.pop(uid, None)
        for plural, obj in deps:
            meta = obj["metadata"]
            if self.store.peek(plural, meta["namespace"], meta["name"]) is not None:
                self._collect_garbage(self.store.delete(plural, meta["namespace"], meta["name"]))

    # -- scale subresource

    @staticmethod
    def scale_of(res: Resource, dep: Obj) -> Obj:
        meta = dep["metadata"]
        selector = ((dep.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
        return {
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {
                "name": meta["name"],
                "namespace": meta.get("namespace"),
                "uid": meta.get("uid"),
                "resourceVersion": meta["resourceVersion"],
                "creationTimestamp": meta.get("creationTimestamp"),
            },
            "spec": {"replicas": (dep.get("spec") or {}).get("replicas", 0)},
            "status": {
                "replicas": (dep.get("status") or {}).get("replicas", 0),
                "selector": ",".join(f"{k}={v}" for k, v in sorted(selector.items())),
            },
        }

    def update_scale(
        self, res: Resource, ns: str, name: str, body: Obj, *, dry_run: bool = False
    ) -> Obj:
        with self.store.lock:
            dep = self._get_or_404(res, ns, name)
            rv = (body.get("metadata") or {}).get("resourceVersion")
            if rv and rv != dep["metadata"]["resourceVersion"]:
                raise conflict(res, name)
            replicas = (body.get("spec") or {}).get("replicas")
            if not isinstance(replicas, int) or replicas < 0:
                raise ApiError(
                    422,
                    "Invalid",
                    f'Scale.autoscaling "{name}" is invalid: spec.replicas: '
                    f"Invalid value: {replicas}: must be greater than or equal to 0",
                    name=name,
                    res=res,
                    causes=[
                        {
                            "reason": "FieldValueInvalid",
                            "field": "spec.replicas",
                            "message": "must be greater than or equal to 0",
                        }
                    ],
                )
            if dep["spec"].get("replicas") != replicas:
                dep["spec"]["replicas"] = replicas
                dep["metadata"]["generation"] = dep["metadata"].get("generation", 1) + 1
                if not dry_run:
                    dep = self.store.replace(res.plural, dep)
            return self.scale_of(res, dep)


# ------------------------------------------------------------------ HTTP


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


def _discovery_group(group: str, version: str) -> Obj:
    resources = []
    for r in RESOURCES.values():
        if r.group != group or r.version != version:
            continue
        resources.append(
            {
                "name": r.plural,
                "singularName": r.kind.lower(),
                "namespaced": r.namespaced,
                "kind": r.kind,
                "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
            }
        )
        for sub in r.subresources:
            kind = "Scale" if sub == "scale" else r.kind
            resources.append(
                {
                    "name": f"{r.plural}/{sub}",
                    "singularName": "",
                    "namespaced": r.namespaced,
                    "kind": kind,
                    "verbs": ["get", "patch", "update"],
                }
            )
    gv = f"{group}/{version}" if group else version
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": gv,
        "resources": resources,
    }


def _api_groups() -> Obj:
    groups: dict[str, list[str]] = {}
    for r in RESOURCES.values():
        if r.group:
            groups.setdefault(r.group, []).append(r.version)
    return {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [
            {
                "name": g,
                "versions": [{"groupVersion": f"{g}/{v}", "version": v} for v in sorted(set(vs))],
                "preferredVersion": {"groupVersion": f"{g}/{vs[0]}", "version": vs[0]},
            }
            for g, vs in sorted(groups.items())
        ],
    }


class SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address,
        store: Store,
        api: Api,
        faults: Faults,
        token: str | None,
        bookmark_interval_s: float,
    ):
        super().__init__(address, Handler)
        self.store, self.api, self.faults, self.token = store, api, faults, token
        self.bookmark_interval_s = bookmark_interval_s
        self.requests: list[RequestRecord] = []
        self.requests_lock = threading.Lock()
        self.stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request, client_address) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        """Stop listening and drop open keep-alive connections, as a server going away does."""
        super().server_close()
        with self._connections_lock:
            open_connections = list(self._connections)
        for conn in open_connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # otherwise delayed ACKs add ~40 ms to every response
    server: SimulatorServer

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    # -- plumbing

    def _send(self, code: int, body: Obj, extra: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> Any:
        raw = self._raw_body
        if not raw:
            return {}
        try:
            return json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ApiError(
                400, "BadRequest", f"the body of the request could not be decoded: {exc}"
            ) from None

    def _record(self, route: dict, verb: str, status: int) -> None:
        rec = RequestRecord(
            time.time(),
            self.command,
            self.path.split("?")[0],
            route.get("resource", ""),
            route.get("namespace", ""),
            route.get("name", ""),
            route.get("sub", ""),
            verb,
            status,
            getattr(self, "_dry_run", False),
        )
        with self.server.requests_lock:
            self.server.requests.append(rec)

    def _route(self, path: str) -> dict:
        parts = [p for p in path.split("/") if p]
        if parts[:2] == ["api", "v1"]:
            group, version, rest = "", "v1", parts[2:]
        elif parts[:1] == ["apis"] and len(parts) >= 3:
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            return {"kind": "other", "parts": parts}
        if not rest:
            return {"kind": "discovery", "group": group, "version": version}
        ns = ""
        if rest[0] == "namespaces" and len(rest) >= 3 and (group, version, rest[2]) in RESOURCES:
            ns, rest = rest[1], rest[2:]
        res = RESOURCES.get((group, version, rest[0]))
        if res is None:
            raise ApiError(
                404, "NotFound", f"the server could not find the requested resource ({path})"
            )
        return {
            "kind": "resource",
            "res": res,
            "resource": res.plural,
            "namespace": ns,
            "name": rest[1] if len(rest) > 1 else "",
            "sub": rest[2] if len(rest) > 2 else "",
        }

    def _handle(self, method: str) -> None:
        # Read the body before anything can fail, so a keep-alive connection stays in step.
        length = int(self.headers.get("Content-Length") or 0)
        self._raw_body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        route: dict = {}
        verb = method.lower()
        self._dry_run = False
        try:
            srv = self.server
            if srv.token and self.headers.get("Authorization") != f"Bearer {srv.token}":
                raise ApiError(401, "Unauthorized", "Unauthorized")
            route = self._route(url.path)
            if route["kind"] == "other":
                p = route["parts"]
                if p in (["version"],):
                    return self._send(200, VERSION)
                if p == ["api"]:
                    return self._send(
                        200,
                        {
                            "kind": "APIVersions",
                            "versions": ["v1"],
                            "serverAddressByClientCIDRs": [],
                        },
                    )
                if p == ["apis"]:
                    return self._send(200, _api_groups())
                if p in (["healthz"], ["readyz"], ["livez"]):
                    body = b"ok"
                    self.send_response(200)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(body)
                    return None
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            if route["kind"] == "discovery":
                return self._send(200, _discovery_group(route["group"], route["version"]))
            res: Resource = route["res"]
            ns, name, sub = route["namespace"], route["name"], route["sub"]
            watching = method == "GET" and query.get("watch") in ("true", "1", "True")
            verb = {
                "GET": "watch" if watching else ("get" if name else "list"),
                "POST": "create",
                "PUT": "update",
                "PATCH": "patch",
                "DELETE": "delete",
            }[method]
            self._faults(res, ns, verb)
            dry = self._dry_run = _dry_run(query, method)
            api = srv.api
            if watching:
                self._record(route, verb, 200)
                return self._watch(res, ns, query)
            if method == "GET" and not name:
                result = self._list(res, ns, query)
            elif method == "GET":
                obj = api._get_or_404(res, ns, name)
                result = api.scale_of(res, obj) if sub == "scale" else obj
            elif method == "POST":
                result = api.create(res, ns, self._body(), dry_run=dry)
                self._record(route, verb, 201)
                return self._send(201, result)
            elif method == "PUT":
                result = api.update(res, ns, name, self._body(), sub, dry_run=dry)
            elif method == "PATCH":
                result = api.patch(
                    res,
                    ns,
                    name,
                    self._body(),
                    self.headers.get("Content-Type", ""),
                    sub,
                    dry_run=dry,
                )
            else:
                dry = dry or _dry_run_in_delete_options(self._body())
                self._dry_run = dry
                result = api.delete(res, ns, name, dry_run=dry)
                if res.plural in ("services", "pods"):  # these return the deleted object
                    self._record(route, verb, 200)
                    return self._send(200, result)
                result = {
                    "kind": "Status",
                    "apiVersion": "v1",
                    "metadata": {},
                    "status": "Success",
                    "details": {
                        "name": name,
                        "group": res.group,
                        "kind": res.plural,
                        "uid": result["metadata"].get("uid"),
                    },
                }
            self._record(route, verb, 200)
            self._send(200, result)
        except ApiError as exc:
            if route.get("kind") == "resource":
                self._record(route, verb, exc.code)
            extra = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
            self._send(exc.code, exc.status(), extra)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _faults(self, res: Resource, ns: str, verb: str) -> None:
        f = self.server.faults
        if f.latency_s:
            time.sleep(f.latency_s)
        if ns and ns in f.forbidden_namespaces:
            user = 'User "system:serviceaccount:barista:barista"'
            grp = f' in API group "{res.group}"' if res.group else ' in API group ""'
            raise ApiError(
                403,
                "Forbidden",
                f"{res.qualified} is forbidden: {user} cannot {verb} "
                f'resource "{res.plural}"{grp} in the namespace "{ns}"',
                res=res,
            )
        if f.error_rate_429 and f.rng.random() < f.error_rate_429:
            raise ApiError(
                429, "TooManyRequests", "Too many requests, please try again later.", retry_after=1
            )
        if f.error_rate_5xx and f.rng.random() < f.error_rate_5xx:
            raise ApiError(500, "InternalError", "Internal error occurred: injected fault")

    def _list(self, res: Resource, ns: str, query: dict) -> Obj:
        lmatch = label_matcher(query.get("labelSelector"))
        fmatch = field_matcher(query.get("fieldSelector"))
        start, rv_hint = 0, None
        token = query.get("continue")
        if token:
            try:
                state = json.loads(base64.urlsafe_b64decode(token.encode()))
                start, rv_hint = int(state["start"]), int(state["rv"])
            except (ValueError, KeyError, json.JSONDecodeError):
                raise ApiError(400, "BadRequest", "continue key is not valid") from None
        limit = int(query.get("limit") or 0)
        page, rv, total = self.server.store.list(
            res.plural,
            ns or None,
            match=lambda o: lmatch(o["metadata"].get("labels") or {}) and fmatch(o),
            start=start,
            limit=limit,
        )
        rv = rv_hint or rv
        meta: Obj = {"resourceVersion": str(rv)}
        if limit and start + limit < total:
            meta["continue"] = base64.urlsafe_b64encode(
                json.dumps({"start": start + limit, "rv": rv}).encode()
            ).decode()
            meta["remainingItemCount"] = total - start - limit
        for o in page:
            o["apiVersion"], o["kind"] = res.api_version, res.kind
        return {
            "kind": f"{res.kind}List",
            "apiVersion": res.api_version,
            "metadata": meta,
            "items": page,
        }

    def _chunk(self, obj: Obj) -> None:
        data = (json.dumps(obj) + "\n").encode()
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _watch(self, res: Resource, ns: str, query: dict) -> None:
        srv = self.server
        lmatch = label_matcher(query.get("labelSelector"))
        fmatch = field_matcher(query.get("fieldSelector"))
        rv_text = query.get("resourceVersion") or ""
        since = int(rv_text) if rv_text not in ("", "0") else None
        timeout = float(query.get("timeoutSeconds") or 1800)
        bookmarks = query.get("allowWatchBookmarks") in ("true", "1", "True")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            try:
                watcher = srv.store.watch(
                    res.plural,
                    ns or None,
                    lambda o: lmatch(o["metadata"].get("labels") or {}) and fmatch(o),
                    since,
                )
            except Gone as gone:
                err = ApiError(410, "Expired", str(gone))
                self._chunk({"type": "ERROR", "object": err.status()})
                self.wfile.write(b"0\r\n\r\n")
                return
            deadline = time.monotonic() + timeout
            next_bookmark = time.monotonic() + srv.bookmark_interval_s
            try:
                while not srv.stopping.is_set():
                    now = time.monotonic()
                    if now >= deadline:
                        break
                    try:
                        item = watcher.events.get(timeout=min(0.5, deadline - now))
                    except Exception:
                        item = ()
                    if item is None:  # dropped by fault injection
                        self.close_connection = True
                        return
                    if item:
                        etype, obj = item
                        out = copy.deepcopy(obj)
                        out["apiVersion"], out["kind"] = res.api_version, res.kind
                        self._chunk({"type": etype, "object": out})
                        f = srv.faults
                        if f.watch_drop_rate and f.rng.random() < f.watch_drop_rate:
                            self.close_connection = True
                            return
                    if bookmarks and not item and time.monotonic() >= next_bookmark:
                        next_bookmark = time.monotonic() + srv.bookmark_interval_s
                        with srv.store.lock:  # only when nothing for this watch is pending
                            rv_now = None if not watcher.events.empty() else srv.store.rv
                        if rv_now is not None:
                            self._chunk(
                                {
                                    "type": "BOOKMARK",
                                    "object": {
                                        "kind": res.kind,
                                        "apiVersion": res.api_version,
                                        "metadata": {"resourceVersion": str(rv_now)},
                                    },
                                }
                            )
                self.wfile.write(b"0\r\n\r\n")
            finally:
                srv.store.unwatch(watcher)
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

"""HTTP plumbing of the simulator: authentication, routing of Kubernetes REST paths, the request
log, injected faults and the answer (JSON or a Status)."""

from __future__ import annotations

import json
import ssl
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from k8s.simulator import discovery, openapi
from k8s.simulator.endpoints import serve_resource
from k8s.simulator.resources import RESOURCES, ApiError, Resource

if TYPE_CHECKING:
    from k8s.simulator.server import SimulatorServer

Obj = dict[str, Any]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # otherwise delayed ACKs add ~40 ms to every response
    server: SimulatorServer

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(10)  # a client that never finishes the handshake
            self.request.do_handshake()
            self.request.settimeout(None)
        super().setup()

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

    def send_json(self, code: int, body: Obj, extra: dict[str, str] | None = None) -> None:
        self.send_bytes(code, json.dumps(body).encode(), "application/json", extra)

    def send_bytes(
        self, code: int, data: bytes, content_type: str, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for warning in getattr(self, "warnings", ()):
            self.send_header("Warning", '299 - "' + warning.replace('"', '\\"') + '"')
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def body(self) -> Any:
        """The request body: JSON, or YAML for an apply patch."""
        raw = self._raw_body
        if not raw:
            return {}
        try:
            return json.loads(raw)
        except json.JSONDecodeError as exc:
            if "yaml" in (self.headers.get("Content-Type") or ""):
                return _yaml(raw)
            raise ApiError(
                400, "BadRequest", f"the body of the request could not be decoded: {exc}"
            ) from None

    def record(self, route: dict, verb: str, status: int) -> None:
        from k8s.simulator.server import RequestRecord

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
            getattr(self, "dry_run", False),
            self.headers.get("User-Agent") or "",
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
        if res is None or len(rest) > 3:
            raise ApiError(
                404, "NotFound", f"the server could not find the requested resource ({path})"
            )
        sub = rest[2] if len(rest) > 2 else ""
        if sub and sub not in res.subresources:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        return {
            "kind": "resource",
            "res": res,
            "resource": res.plural,
            "namespace": ns,
            "name": rest[1] if len(rest) > 1 else "",
            "sub": sub,
        }

    def _handle(self, method: str) -> None:
        # Read the body before anything can fail, so a keep-alive connection stays in step.
        length = int(self.headers.get("Content-Length") or 0)
        self._raw_body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        route: dict = {}
        self.verb = method.lower()
        self.dry_run = False
        self.warnings: list[str] = []
        try:
            srv = self.server
            if srv.token and self.headers.get("Authorization") != f"Bearer {srv.token}":
                raise ApiError(401, "Unauthorized", "Unauthorized")
            route = self._route(url.path)
            if route["kind"] == "other":
                return self._other(route["parts"])
            if route["kind"] == "discovery":
                return self.send_json(
                    200, discovery.discovery_group(route["group"], route["version"])
                )
            serve_resource(self, method, route, query)
        except ApiError as exc:
            if route.get("kind") == "resource":
                self.record(route, self.verb, exc.code)
            extra = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
            self.send_json(exc.code, exc.status(), extra)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _other(self, parts: list[str]) -> None:
        if parts == ["version"]:
            return self.send_json(200, discovery.VERSION)
        if parts == ["api"]:
            return self.send_json(
                200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []}
            )
        if parts == ["apis"]:
            return self.send_json(200, discovery.api_groups())
        if parts == ["openapi", "v3"]:
            return self.send_json(200, openapi.index())
        if parts[:2] == ["openapi", "v3"] and (doc := openapi.document_for(parts[2:])):
            return self.send_bytes(200, doc, "application/json")
        if parts in (["healthz"], ["readyz"], ["livez"]):
            return self.send_bytes(200, b"ok", "text/plain")
        raise ApiError(404, "NotFound", "the server could not find the requested resource")

    def faults(self, res: Resource, ns: str, verb: str) -> None:
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


def _yaml(raw: bytes) -> Any:
    import yaml

    try:
        return yaml.safe_load(raw) or {}
    except yaml.YAMLError as exc:
        raise ApiError(
            400, "BadRequest", f"the body of the request could not be decoded: {exc}"
        ) from None

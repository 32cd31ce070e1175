"""API surface of the simulator: resource table, Status errors, selectors, patches, validation."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from kubernetes.utils import parse_quantity

Obj = dict[str, Any]


@dataclass(frozen=True)
class Resource:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    subresources: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        return f"{self.plural}.{self.group}" if self.group else self.plural


RESOURCES: dict[tuple[str, str, str], Resource] = {
    (r.group, r.version, r.plural): r
    for r in (
        Resource("", "v1", "namespaces", "Namespace", False),
        Resource("", "v1", "nodes", "Node", False),
        Resource("", "v1", "pods", "Pod", True, ("status",)),
        Resource("", "v1", "services", "Service", True),
        Resource("", "v1", "events", "Event", True),
        Resource("", "v1", "configmaps", "ConfigMap", True),
        Resource("apps", "v1", "deployments", "Deployment", True, ("scale", "status")),
        Resource("apps", "v1", "replicasets", "ReplicaSet", True, ("status",)),
        Resource(
            "autoscaling",
            "v2",
            "horizontalpodautoscalers",
            "HorizontalPodAutoscaler",
            True,
            ("status",),
        ),
        Resource("coordination.k8s.io", "v1", "leases", "Lease", True),
    )
}
BY_PLURAL = {r.plural: r for r in RESOURCES.values()}
BY_KIND = {r.kind: r for r in RESOURCES.values()}


class ApiError(Exception):
    """Becomes a Kubernetes ``Status`` response."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        *,
        name: str = "",
        res: Resource | None = None,
        causes: list[dict] | None = None,
        retry_after: int | None = None,
    ):
        super().__init__(message)
        self.code, self.reason, self.message = code, reason, message
        self.name, self.res, self.causes, self.retry_after = name, res, causes, retry_after

    def status(self) -> Obj:
        details: Obj = {}
        if self.name:
            details["name"] = self.name
        if self.res is not None:
            details["group"] = self.res.group
            details["kind"] = self.res.plural
        if self.causes:
            details["causes"] = self.causes
        if self.retry_after:
            details["retryAfterSeconds"] = self.retry_after
        body: Obj = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if details:
            body["details"] = details
        return body


def not_found(res: Resource, name: str) -> ApiError:
    return ApiError(404, "NotFound", f'{res.qualified} "{name}" not found', name=name, res=res)


def conflict(res: Resource, name: str) -> ApiError:
    return ApiError(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {res.qualified} "{name}": the object has been '
        "modified; please apply your changes to the latest version and try again",
        name=name,
        res=res,
    )


def already_exists(res: Resource, name: str) -> ApiError:
    return ApiError(
        409, "AlreadyExists", f'{res.qualified} "{name}" already exists', name=name, res=res
    )


def invalid(res: Resource, name: str, causes: list[tuple[str, str]]) -> ApiError:
    text = ", ".join(f"{field}: {msg}" for field, msg in causes)
    return ApiError(
        422,
        "Invalid",
        f'{res.kind} "{name}" is invalid: {text}',
        name=name,
        res=res,
        causes=[
            {"reason": "FieldValueInvalid", "message": msg, "field": field} for field, msg in causes
        ],
    )


# ------------------------------------------------------------------ selectors

_REQ = re.compile(
    r"\s*(!?)([A-Za-z0-9_./-]+)\s*(?:(==|=|!=)\s*([A-Za-z0-9_.-]*)|"
    r"\s+(in|notin)\s*\(([^)]*)\))?\s*$"
)


def _split_selector(text: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return parts


def label_matcher(selector: str | None):
    """Compile a label selector (=, ==, !=, in, notin, exists, !exists)."""
    if not selector:
        return lambda labels: True
    reqs = []
    for part in _split_selector(selector):
        m = _REQ.match(part)
        if not m:
            raise ApiError(400, "BadRequest", f"unable to parse requirement: {part.strip()!r}")
        neg, key, op, val, setop, setvals = m.groups()
        if op:
            reqs.append((key, "!=" if op == "!=" else "=", {val}))
        elif setop:
            reqs.append((key, setop, {v.strip() for v in setvals.split(",") if v.strip()}))
        else:
            reqs.append((key, "!exists" if neg else "exists", set()))

    def match(labels: dict[str, str]) -> bool:
        for key, op, vals in reqs:
            has = key in labels
            v = labels.get(key)
            if op == "=" and v not in vals:
                return False
            if op == "!=" and has and v in vals:
                return False
            if op == "in" and v not in vals:
                return False
            if op == "notin" and has and v in vals:
                return False
            if op == "exists" and not has:
                return False
            if op == "!exists" and has:
                return False
        return True

    return match


FIELD_PATHS = {
    "metadata.name": ("metadata", "name"),
    "metadata.namespace": ("metadata", "namespace"),
    "status.phase": ("status", "phase"),
    "spec.nodeName": ("spec", "nodeName"),
    "involvedObject.name": ("involvedObject", "name"),
    "involvedObject.kind": ("involvedObject", "kind"),
    "involvedObject.namespace": ("involvedObject", "namespace"),
    "involvedObject.uid": ("involvedObject", "uid"),
}


def field_matcher(selector: str | None):
    if not selector:
        return lambda obj: True
    reqs = []
    for part in selector.split(","):
        m = re.match(r"\s*([A-Za-z.]+)\s*(==|=|!=)\s*(.*?)\s*$", part)
        if not m or m.group(1) not in FIELD_PATHS:
            raise ApiError(
                400,
                "BadRequest",
                f'"{part.strip()}" is not a known field selector: '
                f"supported: {', '.join(FIELD_PATHS)}",
            )
        reqs.append((FIELD_PATHS[m.group(1)], m.group(2) != "!=", m.group(3)))

    def match(obj: Obj) -> bool:
        for path, eq, val in reqs:
            cur: Any = obj
            for p in path:
                cur = cur.get(p) if isinstance(cur, dict) else None
            if ((cur or "") == val) != eq:
                return False
        return True

    return match


# ------------------------------------------------------------------ patches

MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "ports": "containerPort",
    "conditions": "type",
}


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


def strategic_merge_patch(target: Any, patch: Any, key: str = "") -> Any:
    """Strategic merge: like merge patch, but lists with a merge key are merged by that key."""
    if isinstance(patch, list) and key in MERGE_KEYS and isinstance(target, list):
        mk = MERGE_KEYS[key]
        if key == "ports" and patch and "containerPort" not in patch[0]:
            mk = "port"
        out = [copy.deepcopy(t) for t in target]
        for item in patch:
            if not isinstance(item, dict) or mk not in item:
                return copy.deepcopy(patch)
            if item.get("$patch") == "delete":
                out = [o for o in out if o.get(mk) != item[mk]]
                continue
            for i, existing in enumerate(out):
                if existing.get(mk) == item[mk]:
                    out[i] = strategic_merge_patch(existing, item)
                    break
            else:
                out.append(copy.deepcopy(item))
        return out
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    merged: Obj = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if k.startswith("$"):
            continue
        if v is None:
            merged.pop(k, None)
        else:
            merged[k] = strategic_merge_patch(merged.get(k), v, k)
    return merged


def json_patch(target: Obj, ops: list[dict]) -> Obj:
    doc = copy.deepcopy(target)
    for op in ops:
        path = [p.replace("~1", "/").replace("~0", "~") for p in op["path"].split("/")[1:]]
        parent: Any = doc
        for p in path[:-1]:
            parent = parent[int(p)] if isinstance(parent, list) else parent.setdefault(p, {})
        last = path[-1]
        kind = op["op"]
        if kind in ("add", "replace"):
            if isinstance(parent, list):
                idx = len(parent) if last == "-" else int(last)
                if kind == "add":
                    parent.insert(idx, op["value"])
                else:
                    parent[idx] = op["value"]
            else:
                if kind == "replace" and last not in parent:
                    raise ApiError(
                        422,
                        "Invalid",
                        f"replace operation does not apply: doc is missing key: {op['path']}",
                    )
                parent[last] = op["value"]
        elif kind == "remove":
            if isinstance(parent, list):
                parent.pop(int(last))
            else:
                parent.pop(last, None)
        elif kind == "test":
            cur = parent[int(last)] if isinstance(parent, list) else parent.get(last)
            if cur != op.get("value"):
                raise ApiError(422, "Invalid", f"testing value {op['path']} failed")
        else:
            raise ApiError(400, "BadRequest", f"unsupported json patch op {kind!r}")
    return doc


# ------------------------------------------------------------------ validation

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def _quantity(value: Any) -> float | None:
    try:
        return float(parse_quantity(value))
    except (ValueError, TypeError):
        return None


MAX_ANNOTATIONS_BYTES = 256 * 1024  # the apiserver's limit on all annotations of an object


def validate(res: Resource, obj: Obj) -> list[tuple[str, str]]:
    """The checks a real apiserver makes that Barista's writes can trip over."""
    errs: list[tuple[str, str]] = []
    name = obj.get("metadata", {}).get("name", "")
    pattern = DNS_LABEL if res.plural in ("namespaces", "services") else DNS_SUBDOMAIN
    if not name or len(name) > (63 if pattern is DNS_LABEL else 253) or not pattern.match(name):
        errs.append(
            (
                "metadata.name",
                f'Invalid value: "{name}": a lowercase RFC 1123 '
                f"{'label' if pattern is DNS_LABEL else 'subdomain'} must consist of lower case "
                "alphanumeric characters, '-' or '.', and must start and end with an "
                "alphanumeric character",
            )
        )
    annotations = obj.get("metadata", {}).get("annotations") or {}
    if sum(len(k) + len(str(v)) for k, v in annotations.items()) > MAX_ANNOTATIONS_BYTES:
        errs.append(
            ("metadata.annotations", f"Too long: must have at most {MAX_ANNOTATIONS_BYTES} bytes")
        )
    spec = obj.get("spec") or {}
    if res.plural == "deployments":
        replicas = spec.get("replicas", 1)
        if not isinstance(replicas, int) or replicas < 0:
            errs.append(
                ("spec.replicas", f"Invalid value: {replicas}: must be greater than or equal to 0")
            )
        selector = (spec.get("selector") or {}).get("matchLabels") or {}
        tmpl = spec.get("template") or {}
        tlabels = (tmpl.get("metadata") or {}).get("labels") or {}
        if not selector:
            errs.append(("spec.selector", "Required value"))
        elif any(tlabels.get(k) != v for k, v in selector.items()):
            errs.append(
                (
                    "spec.template.metadata.labels",
                    f"Invalid value: {tlabels}: `selector` does not match template `labels`",
                )
            )
        errs += _validate_pod_spec(tmpl.get("spec") or {}, "spec.template.spec")
    elif res.plural == "pods":
        errs += _validate_pod_spec(spec, "spec")
    elif res.plural == "horizontalpodautoscalers":
        lo, hi = spec.get("minReplicas", 1), spec.get("maxReplicas")
        if not isinstance(lo, int) or lo < 1:
            errs.append(
                ("spec.minReplicas", f"Invalid value: {lo}: must be greater than or equal to 1")
            )
        if not isinstance(hi, int) or (isinstance(lo, int) and hi < lo):
            errs.append(
                (
                    "spec.maxReplicas",
                    f"Invalid value: {hi}: must be greater than or equal to `minReplicas`",
                )
            )
    elif res.plural == "services":
        for i, port in enumerate(spec.get("ports") or []):
            if not 1 <= int(port.get("port", 0)) <= 65535:
                errs.append((f"spec.ports[{i}].port", "Invalid value: must be between 1 and 65535"))
    return errs


def _validate_pod_spec(spec: Obj, path: str) -> list[tuple[str, str]]:
    errs: list[tuple[str, str]] = []
    containers = spec.get("containers") or []
    if not containers:
        errs.append((f"{path}.containers", "Required value"))
    for i, c in enumerate(containers):
        cp = f"{path}.containers[{i}]"
        if not c.get("image"):
            errs.append((f"{cp}.image", "Required value"))
        resources = c.get("resources") or {}
        requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
        for kind, values in (("requests", requests), ("limits", limits)):
            for rname, v in values.items():
                q = _quantity(v)
                if q is None:
                    errs.append(
                        (
                            f"{cp}.resources.{kind}[{rname}]",
                            f'Invalid value: "{v}": quantities must match the regular '
                            "expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
                        )
                    )
                elif q < 0:
                    errs.append(
                        (
                            f"{cp}.resources.{kind}[{rname}]",
                            f'Invalid value: "{v}": must be greater than or equal to 0',
                        )
                    )
        for rname, v in requests.items():
            if rname in limits:
                rq, lq = _quantity(v), _quantity(limits[rname])
                if rq is not None and lq is not None and rq > lq:
                    errs.append(
                        (
                            f"{cp}.resources.requests",
                            f'Invalid value: "{v}": must be less than or equal to {rname} limit '
                            f"of {limits[rname]}",
                        )
                    )
        if "nvidia.com/gpu" in requests and requests.get("nvidia.com/gpu") != limits.get(
            "nvidia.com/gpu"
        ):
            errs.append(
                (
                    f"{cp}.resources.requests[nvidia.com/gpu]",
                    "Invalid value: must be equal to nvidia.com/gpu limit",
                )
            )
    return errs

"""Label and field selectors, compiled to match functions."""

from __future__ import annotations

import re
from typing import Any

from k8s.simulator.resources import ApiError

Obj = dict[str, Any]


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


COMMON_FIELDS = {
    "metadata.name": ("metadata", "name"),
    "metadata.namespace": ("metadata", "namespace"),
}
# the field selectors each resource supports on a real apiserver (others answer 400)
FIELD_PATHS: dict[str, dict[str, tuple[str, ...]]] = {
    "pods": {
        "spec.nodeName": ("spec", "nodeName"),
        "spec.restartPolicy": ("spec", "restartPolicy"),
        "spec.schedulerName": ("spec", "schedulerName"),
        "spec.serviceAccountName": ("spec", "serviceAccountName"),
        "spec.hostNetwork": ("spec", "hostNetwork"),
        "status.phase": ("status", "phase"),
        "status.podIP": ("status", "podIP"),
        "status.nominatedNodeName": ("status", "nominatedNodeName"),
    },
    "events": {
        "involvedObject.kind": ("involvedObject", "kind"),
        "involvedObject.namespace": ("involvedObject", "namespace"),
        "involvedObject.name": ("involvedObject", "name"),
        "involvedObject.uid": ("involvedObject", "uid"),
        "involvedObject.apiVersion": ("involvedObject", "apiVersion"),
        "involvedObject.resourceVersion": ("involvedObject", "resourceVersion"),
        "involvedObject.fieldPath": ("involvedObject", "fieldPath"),
        "reason": ("reason",),
        "reportingComponent": ("reportingComponent",),
        "source": ("source", "component"),
        "type": ("type",),
    },
    "namespaces": {"status.phase": ("status", "phase")},
    "nodes": {"spec.unschedulable": ("spec", "unschedulable")},
    "replicasets": {"status.replicas": ("status", "replicas")},
}


def field_matcher(selector: str | None, resource: str = ""):
    """Compile a field selector (=, ==, !=) over the fields ``resource`` supports; 400 for others."""
    if not selector:
        return lambda obj: True
    known = {**COMMON_FIELDS, **FIELD_PATHS.get(resource, {})}
    reqs = []
    for part in selector.split(","):
        m = re.match(r"\s*([A-Za-z.]+)\s*(==|=|!=)\s*(.*?)\s*$", part)
        if not m:
            raise ApiError(400, "BadRequest", f"invalid field selector: {part.strip()!r}")
        if m.group(1) not in known:
            raise ApiError(
                400,
                "BadRequest",
                f'Unable to find "{resource}" that match label selector "", field selector '
                f'"{selector}": field label not supported: {m.group(1)}',
            )
        reqs.append((known[m.group(1)], m.group(2) != "!=", m.group(3)))

    def match(obj: Obj) -> bool:
        for path, eq, val in reqs:
            cur: Any = obj
            for p in path:
                cur = cur.get(p) if isinstance(cur, dict) else None
            text = str(cur).lower() if isinstance(cur, bool) else str(cur or "")
            if (text == val) != eq:
                return False
        return True

    return match

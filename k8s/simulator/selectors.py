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

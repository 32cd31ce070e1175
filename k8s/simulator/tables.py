"""Server-side printing: ``Accept: application/json;as=Table;g=meta.k8s.io;v=v1`` answers a
``Table`` with the columns ``kubectl get`` shows for each kind (wide columns have priority 1)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from k8s.simulator.resources import ApiError, Resource

Obj = dict[str, Any]
Column = tuple[str, str, int, Callable[[Obj], Any]]  # name, type, priority, cell


def wants_table(accept: str) -> bool:
    return any("as=Table" in part and "g=meta.k8s.io" in part for part in accept.split(","))


def age(stamp: str | None, now: datetime | None = None) -> str:
    """A duration as kubectl prints it (``45s``, ``3m``, ``5h``, ``2d``)."""
    if not stamp:
        return "<unknown>"
    then = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    secs = max(0, int(((now or datetime.now(UTC)) - then).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if secs >= size * (2 if unit != "d" else 1):
            return f"{secs // size}{unit}"
    return f"{secs}s"


def _meta(o: Obj, key: str) -> Any:
    return (o.get("metadata") or {}).get(key)


def _pod_ready(o: Obj) -> str:
    statuses = (o.get("status") or {}).get("containerStatuses") or []
    total = len((o.get("spec") or {}).get("containers") or [])
    return f"{sum(1 for s in statuses if s.get('ready'))}/{total}"


def _pod_status(o: Obj) -> str:
    if _meta(o, "deletionTimestamp"):
        return "Terminating"
    for s in (o.get("status") or {}).get("containerStatuses") or []:
        waiting = (s.get("state") or {}).get("waiting")
        if waiting and waiting.get("reason"):
            return waiting["reason"]
    return (o.get("status") or {}).get("phase") or "Unknown"


def _restarts(o: Obj) -> int:
    return sum(
        s.get("restartCount", 0) for s in (o.get("status") or {}).get("containerStatuses") or []
    )


def _containers(o: Obj, key: str) -> str:
    spec = ((o.get("spec") or {}).get("template") or {}).get("spec") or {}
    return ",".join(str(c.get(key, "")) for c in spec.get("containers") or [])


def _ports(o: Obj) -> str:
    ports = (o.get("spec") or {}).get("ports") or []
    return ",".join(f"{p.get('port')}/{p.get('protocol', 'TCP')}" for p in ports) or "<none>"


def _st(o: Obj, key: str, default: Any = 0) -> Any:
    return (o.get("status") or {}).get(key, default)


def _sp(o: Obj, key: str, default: Any = 0) -> Any:
    return (o.get("spec") or {}).get(key, default)


NAME: Column = ("Name", "string", 0, lambda o: _meta(o, "name"))
AGE: Column = ("Age", "string", 0, lambda o: age(_meta(o, "creationTimestamp")))
COLUMNS: dict[str, list[Column]] = {
    "pods": [
        NAME,
        ("Ready", "string", 0, _pod_ready),
        ("Status", "string", 0, _pod_status),
        ("Restarts", "integer", 0, _restarts),
        AGE,
        ("IP", "string", 1, lambda o: _st(o, "podIP", "<none>")),
        ("Node", "string", 1, lambda o: _sp(o, "nodeName", "<none>")),
    ],
    "deployments": [
        NAME,
        ("Ready", "string", 0, lambda o: f"{_st(o, 'readyReplicas')}/{_sp(o, 'replicas')}"),
        ("Up-to-date", "integer", 0, lambda o: _st(o, "updatedReplicas")),
        ("Available", "integer", 0, lambda o: _st(o, "availableReplicas")),
        AGE,
        ("Containers", "string", 1, lambda o: _containers(o, "name")),
        ("Images", "string", 1, lambda o: _containers(o, "image")),
    ],
    "replicasets": [
        NAME,
        ("Desired", "integer", 0, lambda o: _sp(o, "replicas")),
        ("Current", "integer", 0, lambda o: _st(o, "replicas")),
        ("Ready", "integer", 0, lambda o: _st(o, "readyReplicas")),
        AGE,
        ("Containers", "string", 1, lambda o: _containers(o, "name")),
        ("Images", "string", 1, lambda o: _containers(o, "image")),
    ],
    "services": [
        NAME,
        ("Type", "string", 0, lambda o: _sp(o, "type", "ClusterIP")),
        ("Cluster-IP", "string", 0, lambda o: _sp(o, "clusterIP", "<none>")),
        ("External-IP", "string", 0, lambda o: "<none>"),
        ("Port(s)", "string", 0, _ports),
        AGE,
    ],
    "horizontalpodautoscalers": [
        NAME,
        (
            "Reference",
            "string",
            0,
            lambda o: "{kind}/{name}".format(**_sp(o, "scaleTargetRef", {})),
        ),
        ("MinPods", "integer", 0, lambda o: _sp(o, "minReplicas", 1)),
        ("MaxPods", "integer", 0, lambda o: _sp(o, "maxReplicas")),
        ("Replicas", "integer", 0, lambda o: _st(o, "currentReplicas")),
        AGE,
    ],
    "events": [
        ("Last Seen", "string", 0, lambda o: age(o.get("lastTimestamp"))),
        ("Type", "string", 0, lambda o: o.get("type", "")),
        ("Reason", "string", 0, lambda o: o.get("reason", "")),
        (
            "Object",
            "string",
            0,
            lambda o: "{}/{}".format(
                (o.get("involvedObject") or {}).get("kind", "").lower(),
                (o.get("involvedObject") or {}).get("name", ""),
            ),
        ),
        ("Message", "string", 0, lambda o: o.get("message", "")),
    ],
    "namespaces": [NAME, ("Status", "string", 0, lambda o: _st(o, "phase", "Active")), AGE],
    "nodes": [
        NAME,
        ("Status", "string", 0, lambda o: "Ready"),
        ("Roles", "string", 0, lambda o: "<none>"),
        AGE,
        ("Version", "string", 0, lambda o: (_st(o, "nodeInfo", {}) or {}).get("kubeletVersion")),
    ],
}


def _partial(res: Resource, obj: Obj) -> Obj:
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": obj["metadata"],
    }


def as_table(res: Resource, result: Obj, include: str | None) -> Obj:
    """A Table of one object or of a list (``includeObject``: None, Object, Metadata)."""
    include = include or "Metadata"
    if include not in ("None", "Object", "Metadata"):
        raise ApiError(400, "BadRequest", f'includeObject: Unsupported value: "{include}"')
    columns = COLUMNS.get(res.plural, [NAME, AGE])
    items = result.get("items") if "items" in result else [result]
    rows = []
    for obj in items or []:
        row: Obj = {"cells": [cell(obj) for _, _, _, cell in columns]}
        if include == "Object":
            row["object"] = obj
        elif include == "Metadata":
            row["object"] = _partial(res, obj)
        rows.append(row)
    meta = {
        k: v
        for k, v in (result.get("metadata") or {}).items()
        if k in ("resourceVersion", "continue", "remainingItemCount")
    }
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": meta,
        "columnDefinitions": [
            {
                "name": n,
                "type": t,
                "format": "name" if n == "Name" else "",
                "description": n,
                "priority": p,
            }
            for n, t, p, _ in columns
        ],
        "rows": rows,
    }

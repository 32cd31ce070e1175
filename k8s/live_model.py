"""What the watch keeps of one model: a summary of its Deployment, a few fields of each pod, its
recent events, and of the Deployment, Service and HPA only the fields drift compares (metadata,
the compared part of the spec, and the managedFields entries that own spec or metadata fields),
stored as compressed JSON and decoded only when drift is computed again.

At 10,000 models the whole objects would cost some 40 KB a model in Python dicts; the projection
costs about 1.5 KB, and a status-only write (a pod turning Ready) leaves it, and so the drift
cache, untouched.
"""

from __future__ import annotations

import json
import sys
import zlib
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from k8s.drift import LiveObjects
from k8s.manifests import CONFIG_HASH

Obj = dict[str, Any]
MAX_EVENTS = 20
# the spec fields drift compares (k8s.drift), by kind
DRIFT_SPEC: dict[str, tuple[tuple[str, ...], ...]] = {
    "Deployment": (
        ("selector",),
        ("template", "metadata", "labels"),
        ("template", "spec", "nodeSelector"),
        ("template", "spec", "tolerations"),
        ("template", "spec", "containers"),
    ),
    "Service": (("type",), ("selector",), ("ports",)),
    "HorizontalPodAutoscaler": (
        ("scaleTargetRef",),
        ("minReplicas",),
        ("maxReplicas",),
        ("metrics",),
    ),
}
EVENT_KINDS = frozenset({"Pod", "Deployment", "HorizontalPodAutoscaler", "ReplicaSet"})


@dataclass(slots=True)
class PodLive:
    name: str
    phase: str
    ready: bool
    restarts: int
    start_time: str | None
    node: str | None
    reason: str | None
    message: str | None

    def age_s(self, now: datetime | None = None) -> float | None:
        if not self.start_time:
            return None
        started = datetime.fromisoformat(self.start_time.replace("Z", "+00:00"))
        return ((now or datetime.now(UTC)) - started).total_seconds()


@dataclass(slots=True)
class EventLive:
    type: str
    reason: str
    message: str
    count: int
    last_timestamp: str | None
    object: str


@dataclass(slots=True, eq=False)
class ModelLive:
    deployment_exists: bool = False
    desired: int = 0
    ready: int = 0
    available: int = 0
    updated: int = 0
    replicas: int = 0
    generation: int = 0
    observed_generation: int = 0
    config_hash: str | None = None
    annotations: dict[str, str] = field(default_factory=dict)
    image: str | None = None
    resource_version: str | None = None
    pod_map: dict[str, PodLive] = field(default_factory=dict)
    events: deque = field(default_factory=lambda: deque(maxlen=MAX_EVENTS))
    # compressed drift projections of the Deployment, Service and HPA (None: not seen)
    drift_parts: tuple[bytes | None, bytes | None, bytes | None] = (None, None, None)

    @property
    def objects(self) -> LiveObjects | None:
        """The live objects for drift (their compared fields); None when only a summary is
        known (no Deployment projection)."""
        dep, svc, hpa = self.drift_parts
        if dep is None:
            return None
        return LiveObjects(_decode(dep), _decode(svc), _decode(hpa))

    @property
    def versions(self) -> tuple[bytes | None, ...]:
        """A cache key for drift: changes exactly when a compared field or its owner changes."""
        return self.drift_parts

    @property
    def pods(self) -> list[PodLive]:
        return sorted(self.pod_map.values(), key=lambda p: p.name)


def drift_projection(kind: str, obj: Obj) -> Obj:
    """The part of a live object that :func:`k8s.drift.differences` reads: labels, annotations,
    the managedFields entries that are not the status subresource's, and the compared spec."""
    meta = obj.get("metadata") or {}
    out_meta = {k: meta[k] for k in ("name", "namespace", "labels", "annotations") if k in meta}
    entries = [e for e in meta.get("managedFields") or [] if e.get("subresource") != "status"]
    if entries:
        out_meta["managedFields"] = entries
    spec: Obj = {}
    source = obj.get("spec") or {}
    for path in DRIFT_SPEC[kind]:
        _copy_path(source, spec, path)
    return {"metadata": out_meta, "spec": spec}


def pack(kind: str, obj: Obj) -> bytes:
    """The drift projection of ``obj``, compressed (equal bytes: equal projection)."""
    text = json.dumps(drift_projection(kind, obj), separators=(",", ":"))
    return zlib.compress(text.encode(), 1)


def _decode(data: bytes | None) -> Obj | None:
    return None if data is None else json.loads(zlib.decompress(data))


def _copy_path(source: Obj, target: Obj, path: tuple[str, ...]) -> None:
    for part in path[:-1]:
        source = source.get(part) or {}
        if not isinstance(source, dict):
            return
        target = target.setdefault(part, {})
    if path[-1] in source:
        target[path[-1]] = source[path[-1]]


def pod_live(pod: Obj) -> PodLive:
    status = pod.get("status") or {}
    reason = message = None
    restarts = 0
    ready = False
    for cs in status.get("containerStatuses") or []:
        restarts += cs.get("restartCount", 0)
        state = cs.get("state") or {}
        if "waiting" in state and not reason:
            reason = state["waiting"].get("reason")
            message = state["waiting"].get("message")
        elif "terminated" in state and not reason:
            reason = state["terminated"].get("reason")
            message = state["terminated"].get("message")
        last = (cs.get("lastState") or {}).get("terminated") or {}
        if last.get("reason") == "OOMKilled" and not reason:
            reason = "OOMKilled"
    for cond in status.get("conditions") or []:
        if cond.get("type") == "Ready":
            ready = cond.get("status") == "True"
        if cond.get("type") == "PodScheduled" and cond.get("status") == "False" and not reason:
            reason = cond.get("reason")
            message = cond.get("message")
    return PodLive(
        name=pod["metadata"]["name"],
        phase=status.get("phase", "Pending"),
        ready=ready,
        restarts=restarts,
        start_time=status.get("startTime"),
        node=(pod.get("spec") or {}).get("nodeName"),
        reason=reason,
        message=message,
    )


Summary = tuple[int, int, int, int, int, int, int, dict[str, str], str | None, str | None]


def deployment_summary(obj: Obj) -> Summary:
    """The Deployment's fields the page, the scheduler and the cost recorder read."""
    meta, spec, status = obj["metadata"], obj.get("spec") or {}, obj.get("status") or {}
    containers = ((spec.get("template") or {}).get("spec") or {}).get("containers") or []
    return (
        spec.get("replicas", 0),
        status.get("readyReplicas", 0),
        status.get("availableReplicas", 0),
        status.get("updatedReplicas", 0),
        status.get("replicas", 0),
        meta.get("generation", 0),
        status.get("observedGeneration", 0),
        dict(meta.get("annotations") or {}),
        containers[0].get("image") if containers else None,
        meta.get("resourceVersion"),
    )


def store_deployment(model: ModelLive, value: tuple[Summary, bytes] | None) -> bool:
    """Keep a Deployment's summary and drift projection; whether anything shown changed (a new
    resourceVersion alone is kept, for conditional writes, without a report)."""
    if value is None:
        if not model.deployment_exists and model.drift_parts[0] is None:
            return False
        model.deployment_exists = False
        model.desired = model.ready = model.available = model.updated = model.replicas = 0
        model.drift_parts = (None, model.drift_parts[1], model.drift_parts[2])
        return True
    summary, packed = value
    before = (model.deployment_exists, _shown(model), model.drift_parts[0])
    (model.desired, model.ready, model.available, model.updated, model.replicas) = summary[:5]
    model.generation, model.observed_generation, model.annotations = summary[5:8]
    model.image, model.resource_version = summary[8:]
    model.config_hash = model.annotations.get(CONFIG_HASH)
    model.deployment_exists = True
    if model.drift_parts[0] != packed:
        model.drift_parts = (packed, model.drift_parts[1], model.drift_parts[2])
    return before != (True, _shown(model), model.drift_parts[0])


def _shown(model: ModelLive) -> tuple[Any, ...]:
    return (
        model.desired,
        model.ready,
        model.available,
        model.updated,
        model.replicas,
        model.generation,
        model.observed_generation,
        model.annotations,
        model.image,
    )


def event_live(obj: Obj) -> tuple[str, str, str, EventLive] | None:
    """(namespace, object name, object kind, the event) of an Event about a named object."""
    inv = obj.get("involvedObject") or {}
    ns, name, kind = inv.get("namespace"), inv.get("name"), inv.get("kind")
    if not ns or not name or kind not in EVENT_KINDS:
        return None
    event = EventLive(
        type=sys.intern(obj.get("type") or "Normal"),
        reason=sys.intern(obj.get("reason") or ""),
        message=obj.get("message") or "",
        count=obj.get("count") or 1,
        last_timestamp=obj.get("lastTimestamp") or obj.get("eventTime"),
        object=f"{kind}/{name}",
    )
    return ns, name, kind, event

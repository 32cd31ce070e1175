"""What the watch knows of one model: its Deployment (the object as the cluster has it, for
drift), Service and HPA, its pods and its recent events."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from k8s.drift import LiveObjects

Obj = dict[str, Any]
MAX_EVENTS = 20


@dataclass
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


@dataclass
class EventLive:
    type: str
    reason: str
    message: str
    count: int
    last_timestamp: str | None
    object: str


@dataclass
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
    deployment_obj: Obj | None = None  # the objects as the cluster has them (None: not seen)
    service_obj: Obj | None = None
    hpa_obj: Obj | None = None

    @property
    def objects(self) -> LiveObjects | None:
        """The live objects for drift; None when only a summary is known (no full objects)."""
        if self.deployment_obj is None:
            return None
        return LiveObjects(self.deployment_obj, self.service_obj, self.hpa_obj)

    @property
    def versions(self) -> tuple[str | None, ...]:
        """The resourceVersions of the three objects (a cache key for drift)."""
        return tuple(
            ((o or {}).get("metadata") or {}).get("resourceVersion")
            for o in (self.deployment_obj, self.service_obj, self.hpa_obj)
        )

    @property
    def pods(self) -> list[PodLive]:
        return sorted(self.pod_map.values(), key=lambda p: p.name)


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

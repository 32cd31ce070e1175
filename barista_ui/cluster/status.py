"""Sync status and status rows: the one builder the page, the CLI and (later) the API use.

A row compares a record with what the cluster runs (the live view of the watch) under the
one replica rule (:mod:`barista_ui.records.replicas`), and shows the reconciler's in-between
states: ``Pending`` (saved, not yet applied) and ``Retrying`` (last error, next attempt).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from barista_ui.cluster.health import Health, HealthStatus, health_of
from barista_ui.records.registry import ModelRecord
from barista_ui.records.replicas import replicas_in_tolerance
from barista_ui.records.spec import ModelSpec
from k8s.drift import Difference, differences
from k8s.manifests import config_hash, held_down

Key = tuple[str, str]
Status = Literal[
    "Synced", "OutOfSync", "Missing", "Unmanaged", "Error", "Unknown", "Pending", "Retrying"
]
STATUSES: tuple[Status, ...] = (
    "Synced",
    "OutOfSync",
    "Missing",
    "Unmanaged",
    "Error",
    "Unknown",
    "Pending",
    "Retrying",
)


@dataclass(frozen=True)
class SyncStatus:
    status: Status
    diffs: list[str] = field(default_factory=list)
    message: str = ""
    drift: list[Difference] = field(default_factory=list)  # the differing fields, with who


@dataclass(frozen=True)
class KeyState:
    """The reconciler's view of one model that is not applied yet."""

    state: Literal["Pending", "Retrying"]
    error: str = ""
    next_attempt: datetime | None = None  # UTC, for Retrying
    attempts: int = 0


@dataclass(frozen=True)
class PodRow:
    name: str
    phase: str
    ready: bool
    restarts: int
    reason: str | None


@dataclass(frozen=True)
class StatusRow:
    """One model's line: what the page's table and cluster tab and ``models status`` show."""

    namespace: str
    name: str
    status: Status
    ready: int
    desired: int  # what the Deployment asks for now (an HPA may have moved it), else the record's
    diffs: list[str]
    message: str
    pods: list[PodRow]
    health: Health = "Unknown"
    health_msg: str = ""
    drift: list[Difference] = field(default_factory=list)

    @property
    def key(self) -> Key:
        return (self.namespace, self.name)

    @property
    def reasons(self) -> list[str]:
        return sorted({p.reason for p in self.pods if p.reason})

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "namespace": self.namespace,
            "status": self.status,
            "ready": self.ready,
            "desired": self.desired,
            "pods": [p.__dict__ for p in self.pods],
            "diffs": self.diffs,
            "drift": [d.as_dict() for d in self.drift],
            "message": self.message,
            "health": self.health,
            "health_message": self.health_msg,
        }


class LiveView(Protocol):
    def snapshot(self, key: Key) -> Any | None: ...

    def all(self) -> dict[Key, Any]: ...


def sync_status(
    spec: ModelSpec | None, desired: int, live: Any | None, *, live_error: str | None = None
) -> SyncStatus:
    """Compare one record's spec (None: none exists) with its live view (None: never seen)."""
    if live_error:
        return SyncStatus("Error", [], live_error)
    if spec is None:
        if live is not None and live.deployment_exists:
            return SyncStatus(
                "Unmanaged", [], "a Deployment labelled managed-by=barista has no record"
            )
        return SyncStatus("Unknown")
    if live is None or not live.deployment_exists:
        return SyncStatus("Missing", [], "no Deployment in the cluster")
    drift = live_drift(spec, live)
    diffs = [d.text() for d in drift]
    if not replicas_in_tolerance(spec, desired, live.desired):
        diffs.append(f"replicas: desired {desired}, live {live.desired}")
    if diffs:
        return SyncStatus("OutOfSync", diffs, "; ".join(diffs), drift)
    return SyncStatus("Synced")


_drift_cache: dict[Key, tuple[ModelSpec, Any, list[Difference]]] = {}


def live_drift(spec: ModelSpec, live: Any) -> list[Difference]:
    """The fields where the cluster runs something else than the record (:mod:`k8s.drift`),
    kept until the record or one of the live objects changes. A live view without the objects
    themselves is compared by the config hash only."""
    # The versions first, the objects after: the watch may store a newer object meanwhile
    # (a Service arriving after its Deployment), and an answer from newer objects must not be
    # cached under the older versions, or it would stand until the next change.
    versions = getattr(live, "versions", None)
    objects = getattr(live, "objects", None)
    if objects is None:
        if live.config_hash == config_hash(spec.to_file_dict()):
            return []
        shown = (live.config_hash or "-")[:6]
        return [Difference("Deployment", spec.name, "metadata.annotations.config-hash", "", shown)]
    key = (spec.namespace, spec.name)
    cached = _drift_cache.get(key)
    if cached is not None and cached[1] == versions and (cached[0] is spec or cached[0] == spec):
        return cached[2]
    found = differences(spec.to_file_dict(), objects)
    if (
        getattr(live, "versions", None) is versions
    ):  # nothing stored in between: the objects are these versions'
        _drift_cache[key] = (spec, versions, found)
    return found


def missing_objects(spec: ModelSpec, live: Any | None) -> bool:
    """Whether the cluster lacks one of the model's objects (the reconciler recreates those at
    once; changed fields wait for a re-apply)."""
    if live is None or not live.deployment_exists:
        return True
    return any(d.path == "(object)" and d.live is None for d in live_drift(spec, live))


def state_status(state: KeyState) -> SyncStatus:
    if state.state == "Pending":
        return SyncStatus("Pending", [], "saved, not yet applied to the cluster")
    when = f"; next attempt at {state.next_attempt:%H:%M:%S} UTC" if state.next_attempt else ""
    return SyncStatus("Retrying", [], f"{state.error}{when}")


class FleetStatus:
    """Builds status rows from the records, the desired count, the live view and the
    reconciler's states (all injected, so the page and the CLI build the same rows)."""

    def __init__(
        self,
        desired_for: Callable[[ModelSpec], int],
        live: LiveView | None = None,
        state_of: Callable[[Key], KeyState | None] = lambda key: None,
    ):
        self.desired_for = desired_for
        self.live = live
        self.state_of = state_of

    def row(self, record: ModelRecord) -> StatusRow:
        live = self.live.snapshot(record.key) if self.live is not None else None
        desired = self.desired_for(record.spec)
        state = self.state_of(record.key)
        st = state_status(state) if state else sync_status(record.spec, desired, live)
        health = health_of(live, enabled=record.spec.enabled, held_down=_held(live))
        return _row(record.key, st, live, desired, health)

    def rows(self, records: list[ModelRecord], *, unmanaged: bool = True) -> dict[Key, StatusRow]:
        """Rows of every record, plus managed Deployments without a record (``unmanaged``)."""
        out = {r.key: self.row(r) for r in records}
        if unmanaged and self.live is not None:
            for key, live in self.live.all().items():
                if key not in out and getattr(live, "deployment_exists", True):
                    health = health_of(live, held_down=_held(live))
                    out[key] = _row(key, sync_status(None, 0, live), live, 0, health)
        return out


def _held(live: Any | None) -> bool:
    return live is not None and held_down({"metadata": {"annotations": live.annotations}})


def _row(
    key: Key, st: SyncStatus, live: Any | None, desired: int, health: HealthStatus
) -> StatusRow:
    exists = live is not None and live.deployment_exists
    live_desired = live.desired if live is not None and exists else desired
    pods = (
        [PodRow(p.name, p.phase, p.ready, p.restarts, p.reason) for p in live.pods] if live else []
    )
    return StatusRow(
        namespace=key[0],
        name=key[1],
        status=st.status,
        ready=live.ready if live else 0,
        desired=live_desired,
        diffs=st.diffs,
        message=st.message,
        pods=pods,
        health=health.health,
        health_msg=health.message,
        drift=st.drift,
    )

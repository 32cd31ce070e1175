"""Sync status: the desired state from a record compared with what the cluster runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from k8s.manifests import config_hash

Status = Literal["Synced", "OutOfSync", "Missing", "Unmanaged", "Error", "Unknown"]


@dataclass(frozen=True)
class SyncStatus:
    status: Status
    diffs: list[str] = field(default_factory=list)
    message: str = ""


def sync_status(
    record: dict[str, Any] | None,
    desired_replicas: int,
    live: Any | None,
    *,
    live_error: str | None = None,
) -> SyncStatus:
    """Compare one record (None: none exists) with its live view (None: never seen)."""
    if live_error:
        return SyncStatus("Error", [], live_error)
    exists = live is not None and live.deployment_exists
    if record is None:
        if exists:
            return SyncStatus(
                "Unmanaged", [], "a Deployment labelled managed-by=barista has no record"
            )
        return SyncStatus("Unknown")
    if not exists:
        return SyncStatus("Missing", [], "no Deployment in the cluster")
    diffs = []
    want_hash = config_hash(record)
    if live.config_hash != want_hash:
        if live.image and live.image != record.get("image"):
            diffs.append(f"image: desired {record.get('image')}, live {live.image}")
        else:
            diffs.append(
                f"config: template changed (hash {want_hash[:6]} vs {(live.config_hash or '-')[:6]})"
            )
    auto = record.get("autoscaling") or {}
    if live.desired != desired_replicas:
        hpa_range = (
            auto.get("enabled")
            and desired_replicas > 0
            and (int(auto.get("min", 1)) <= live.desired <= int(auto.get("max", 1)))
        )
        if not hpa_range:
            diffs.append(f"replicas: desired {desired_replicas}, live {live.desired}")
    if diffs:
        return SyncStatus("OutOfSync", diffs, "; ".join(diffs))
    return SyncStatus("Synced")

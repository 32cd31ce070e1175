"""Health, apart from sync (as Argo CD shows them): whether the model's pods serve, whatever the
record says.

- ``Missing``: no Deployment in the cluster.
- ``Degraded``: a pod waits with a failure reason (ImagePullBackOff, CrashLoopBackOff,
  Unschedulable, OOMKilled...): never shown green, even while other pods serve.
- ``Suspended``: scaled to zero on purpose: switched off, or held down by the schedule.
- ``Progressing``: a rollout or a scale-up under way (new/old pod counts in the message).
- ``Healthy``: every wanted pod is ready on the current template.
- ``Unknown``: no cluster to ask (a row without a live view is not built at all).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Health = Literal["Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"]
HEALTHS: tuple[Health, ...] = (
    "Healthy",
    "Progressing",
    "Degraded",
    "Suspended",
    "Missing",
    "Unknown",
)
# reasons a pod goes through on its way up: not a failure
STARTING = frozenset({"ContainerCreating", "PodInitializing", "Pending", "Completed"})


@dataclass(frozen=True)
class HealthStatus:
    health: Health
    message: str = ""


def failing_pods(live: Any) -> dict[str, list[str]]:
    """Pods with a failure reason, by reason."""
    out: dict[str, list[str]] = {}
    for pod in live.pods:
        if pod.reason and pod.reason not in STARTING and not pod.ready:
            out.setdefault(pod.reason, []).append(pod.name)
    return out


def health_of(live: Any | None, *, enabled: bool = True, held_down: bool = False) -> HealthStatus:
    """The health of one model from its live view (``enabled``/``held_down``: why it may be at
    zero on purpose)."""
    if live is None or not live.deployment_exists:  # None: the watch never saw one
        return HealthStatus("Missing", "no Deployment in the cluster")
    failing = failing_pods(live)
    if failing:
        parts = [f"{len(pods)} pod(s) {reason}" for reason, pods in sorted(failing.items())]
        return HealthStatus("Degraded", "; ".join(parts))
    if live.desired == 0:
        why = (
            "switched off"
            if not enabled
            else "scaled to zero by the schedule"
            if held_down
            else "scaled to zero"
        )
        left = f"; {len(live.pods)} pod(s) stopping" if live.pods else ""
        return HealthStatus("Suspended", why + left)
    rollout = _rollout(live)
    if rollout:
        return HealthStatus("Progressing", rollout)
    return HealthStatus("Healthy", f"{live.ready}/{live.desired} ready")


def _rollout(live: Any) -> str:
    """What a rollout or scale-up still waits for ('' when done)."""
    old = max(0, live.replicas - live.updated)
    behind = live.observed_generation < live.generation
    if not behind and old == 0 and live.updated >= live.desired and live.ready >= live.desired:
        return ""
    # ready old pods count in readyReplicas: at least this many new ones are ready
    new_ready = max(0, min(live.updated, live.ready - old))
    text = f"rollout: {new_ready}/{live.desired} new ready, {live.updated} new"
    if old:
        text += f", {old} old still running"
    if behind:
        text += " (the controller has not seen the latest change yet)"
    return text

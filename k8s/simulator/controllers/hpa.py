"""The HorizontalPodAutoscaler controller: every ``hpa_interval_s`` it sizes each target
Deployment to its CPU load (set by tests and benches, else a slow sine wave) within min/max
replicas, and stays idle while the Deployment is scaled to zero."""

from __future__ import annotations

import math
import time

from k8s.simulator.controllers.context import Context
from k8s.simulator.controllers.objects import DEP, HPA, Obj
from k8s.simulator.store import now_rfc3339

DEFAULT_TARGET_UTILIZATION = 70


def load_of(ctx: Context, ns: str, name: str) -> float:
    """The Deployment's CPU utilisation in percent."""
    if (ns, name) in ctx.loads:
        return ctx.loads[(ns, name)]
    phase = (hash((ns, name)) % 1000) / 1000 * 2 * math.pi
    return 60 + 30 * math.sin(time.time() / 600 + phase)


def hpa_tick(ctx: Context) -> None:
    """Reconcile every HPA, then schedule the next tick (until the controllers stop)."""
    try:
        hpas: list[Obj] = ctx.store.iter_raw("horizontalpodautoscalers")
        for hpa in hpas:
            reconcile_hpa(ctx, hpa)
    finally:
        if not ctx.work.stopped:
            ctx.work.after(ctx.config.hpa_interval_s, lambda: hpa_tick(ctx))


def reconcile_hpa(ctx: Context, hpa: Obj) -> None:
    """Scale the target Deployment to its load and write the HPA's status."""
    ns = hpa["metadata"]["namespace"]
    spec = hpa["spec"]
    target = spec.get("scaleTargetRef", {})
    dep = ctx.store.get("deployments", ns, target.get("name", ""))
    if dep is None:
        return
    current = dep["spec"].get("replicas", 0)
    if current == 0:
        return  # scaled to zero: the HPA is idle, as on a real cluster
    goal = DEFAULT_TARGET_UTILIZATION
    for m in spec.get("metrics") or []:
        goal = ((m.get("resource") or {}).get("target") or {}).get("averageUtilization", goal)
    load = load_of(ctx, ns, dep["metadata"]["name"])
    lo, hi = spec.get("minReplicas", 1), spec["maxReplicas"]
    desired = max(lo, min(hi, math.ceil(current * load / goal)))
    status = _status(current, desired, load)
    if desired != current:
        _rescale(ctx, hpa, dep, current, desired)
        status["lastScaleTime"] = now_rfc3339()
    elif (hpa.get("status") or {}).get("lastScaleTime"):
        status["lastScaleTime"] = hpa["status"]["lastScaleTime"]
    if hpa.get("status") != status:
        fresh = ctx.store.get("horizontalpodautoscalers", ns, hpa["metadata"]["name"])
        if fresh is not None:
            fresh["status"] = status
            ctx.api.update(HPA, ns, hpa["metadata"]["name"], fresh, "status")


def _status(current: int, desired: int, load: float) -> Obj:
    return {
        "currentReplicas": current,
        "desiredReplicas": desired,
        "currentMetrics": [
            {
                "type": "Resource",
                "resource": {"name": "cpu", "current": {"averageUtilization": int(load)}},
            }
        ],
        "conditions": [
            {"type": "AbleToScale", "status": "True", "reason": "ReadyForNewScale"},
            {"type": "ScalingActive", "status": "True", "reason": "ValidMetricFound"},
        ],
    }


def _rescale(ctx: Context, hpa: Obj, dep: Obj, current: int, desired: int) -> None:
    dep["spec"]["replicas"] = desired
    ctx.api.update(DEP, dep["metadata"]["namespace"], dep["metadata"]["name"], dep)
    ctx.events.record(
        hpa,
        "SuccessfulRescale",
        f"New size: {desired}; reason: cpu resource "
        f"utilization (percentage of request) {'above' if desired > current else 'below'} target",
        component="horizontal-pod-autoscaler",
    )

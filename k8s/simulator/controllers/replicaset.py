"""The ReplicaSet controller: creates or deletes pods until the count matches, hands new pods to
the scheduler, and writes the ReplicaSet's status."""

from __future__ import annotations

from k8s.simulator.controllers.context import Context
from k8s.simulator.controllers.objects import POD, RS, Obj, is_ready, owner_ref
from k8s.simulator.controllers.scheduler import schedule_pod

POD_NAME_LETTERS = "bcdfghjklmnpqrstvwxz2456789"


def reconcile_replicaset(ctx: Context, ns: str, name: str) -> None:
    """Create or delete pods to match the ReplicaSet's replicas, then refresh its status."""
    rs = ctx.store.peek("replicasets", ns, name)  # read only: writes send a new object
    if rs is None:
        return
    want = rs["spec"].get("replicas", 0)
    pods = ctx.store.raw_dependents(rs["metadata"]["uid"], "pods")
    if len(pods) < want:
        for _ in range(want - len(pods)):
            create_pod(ctx, rs)
        ctx.events.record(
            rs,
            "SuccessfulCreate",
            f"Created {want - len(pods)} pod(s)",
            component="replicaset-controller",
        )
    elif len(pods) > want:
        _delete_surplus(ctx, rs, ns, pods, want)
    _write_status(ctx, rs, ns, name)
    owners = rs["metadata"].get("ownerReferences") or []
    for ref in owners:
        ctx.work.enqueue("deployment-status", ns, ref["name"])
    if want == 0 and not ctx.store.raw_dependents(rs["metadata"]["uid"], "pods"):
        for ref in owners:
            ctx.work.enqueue("deployment", ns, ref["name"])


def _delete_surplus(ctx: Context, rs: Obj, ns: str, pods: list[Obj], want: int) -> None:
    # Delete not-ready pods first, newest first among equals (as the RS controller does).
    pods.sort(key=lambda p: p["metadata"]["creationTimestamp"], reverse=True)
    pods.sort(key=is_ready)
    victims = pods[: len(pods) - want]
    for p in victims:
        ctx.api.delete(POD, ns, p["metadata"]["name"])
    ctx.events.record(
        rs,
        "SuccessfulDelete",
        f"Deleted {len(victims)} pod(s)",
        component="replicaset-controller",
    )
    ctx.work.enqueue("retry-pending", "", "")


def _write_status(ctx: Context, rs: Obj, ns: str, name: str) -> None:
    current: list[Obj] = ctx.store.raw_dependents(rs["metadata"]["uid"], "pods")
    ready = sum(1 for p in current if is_ready(p))
    status = {
        "replicas": len(current),
        "readyReplicas": ready,
        "availableReplicas": ready,
        "fullyLabeledReplicas": len(current),
        "observedGeneration": 1,
    }
    if rs.get("status") != status:
        ctx.api.update(RS, ns, name, {**rs, "status": status}, "status")


def create_pod(ctx: Context, rs: Obj) -> None:
    """Create one Pending pod from the ReplicaSet's template and queue it for scheduling."""
    ns = rs["metadata"]["namespace"]
    tmpl = rs["spec"]["template"]
    name = f"{rs['metadata']['name']}-" + "".join(ctx.rng.choices(POD_NAME_LETTERS, k=5))
    pod = {
        "metadata": {
            "name": name,
            "namespace": ns,
            "labels": dict(tmpl["metadata"].get("labels", {})),
            "annotations": dict(tmpl["metadata"].get("annotations", {}) or {}),
            "ownerReferences": [owner_ref(rs)],
        },
        "spec": {
            **tmpl.get("spec", {}),
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
        },
        "status": {"phase": "Pending", "qosClass": "Burstable"},
    }
    created = ctx.api.create(POD, ns, pod)
    ctx.work.after(
        ctx.config.pod_schedule_delay_s,
        lambda: schedule_pod(ctx, ns, created["metadata"]["name"]),
    )

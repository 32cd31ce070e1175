"""The Deployment controller: one ReplicaSet per pod template (named by its hash), older ones
scaled to zero and removed once their pods are gone, and the Deployment's status and conditions."""

from __future__ import annotations

from k8s.simulator.controllers.context import Context
from k8s.simulator.controllers.objects import DEP, RS, Obj, is_ready, owner_ref, template_hash
from k8s.simulator.store import now_rfc3339


def reconcile_deployment(ctx: Context, ns: str, name: str) -> None:
    """Make the Deployment's ReplicaSets match its template and replica count."""
    dep = ctx.store.get("deployments", ns, name)
    if dep is None:
        return
    h = template_hash(dep["spec"]["template"])
    rs_name = f"{name}-{h}"
    owned: list[Obj] = ctx.store.dependents(dep["metadata"]["uid"], "replicasets")
    current = next((r for r in owned if r["metadata"]["name"] == rs_name), None)
    if current is None:
        _create_replicaset(ctx, dep, ns, rs_name, h, revision=len(owned) + 1)
    else:
        _scale_replicaset(ctx, dep, ns, current)
    _retire_old_replicasets(ctx, dep, ns, owned, rs_name)
    deployment_status(ctx, ns, name)


def _new_replicaset(dep: Obj, ns: str, rs_name: str, h: str, revision: int) -> Obj:
    spec = dep["spec"]
    template = spec["template"]
    labels = {**(template.get("metadata") or {}).get("labels", {}), "pod-template-hash": h}
    return {
        "metadata": {
            "name": rs_name,
            "namespace": ns,
            "labels": labels,
            "ownerReferences": [owner_ref(dep)],
            "annotations": {"deployment.kubernetes.io/revision": str(revision)},
        },
        "spec": {
            "replicas": spec.get("replicas", 1),
            "selector": {
                "matchLabels": {**spec["selector"]["matchLabels"], "pod-template-hash": h}
            },
            "template": {
                "metadata": {**(template.get("metadata") or {}), "labels": labels},
                "spec": template.get("spec") or {},
            },
        },
    }


def _create_replicaset(
    ctx: Context, dep: Obj, ns: str, rs_name: str, h: str, revision: int
) -> None:
    rs = _new_replicaset(dep, ns, rs_name, h, revision)
    replicas = rs["spec"]["replicas"]
    ctx.api.create(RS, ns, rs)
    ctx.events.record(
        dep, "ScalingReplicaSet", f"Scaled up replica set {rs_name} from 0 to {replicas}"
    )


def _scale_replicaset(ctx: Context, dep: Obj, ns: str, current: Obj) -> None:
    replicas = dep["spec"].get("replicas", 1)
    if current["spec"].get("replicas") == replicas:
        return
    rs_name = current["metadata"]["name"]
    before = current["spec"].get("replicas", 0)
    current["spec"]["replicas"] = replicas
    ctx.api.update(RS, ns, rs_name, current)
    verb = "up" if replicas > before else "down"
    ctx.events.record(
        dep,
        "ScalingReplicaSet",
        f"Scaled {verb} replica set {rs_name} from {before} to {replicas}",
    )


def _retire_old_replicasets(
    ctx: Context, dep: Obj, ns: str, owned: list[Obj], rs_name: str
) -> None:
    """Scale the ReplicaSets of older templates to zero; delete them once their pods are gone."""
    for old in owned:
        old_name = old["metadata"]["name"]
        if old_name == rs_name:
            continue
        if old["spec"].get("replicas", 0) > 0:
            before = old["spec"]["replicas"]
            old["spec"]["replicas"] = 0
            ctx.api.update(RS, ns, old_name, old)
            ctx.events.record(
                dep,
                "ScalingReplicaSet",
                f"Scaled down replica set {old_name} from {before} to 0",
            )
        elif not ctx.store.dependents(old["metadata"]["uid"], "pods"):
            ctx.api.delete(RS, ns, old_name)


def deployment_status(ctx: Context, ns: str, name: str) -> None:
    """Write the Deployment's replica counts and conditions when they changed."""
    dep = ctx.store.get("deployments", ns, name)
    if dep is None:
        return
    h = template_hash(dep["spec"]["template"])
    total, ready, updated = _pod_counts(ctx, dep, h)
    want = dep["spec"].get("replicas", 1)
    status = _replica_counts(dep, total, ready, updated, want)
    status["conditions"] = _conditions(dep, total, ready, updated, want, f"{name}-{h}")
    if dep.get("status") != status:
        dep["status"] = status
        ctx.api.update(DEP, ns, name, dep, "status")


def _pod_counts(ctx: Context, dep: Obj, h: str) -> tuple[int, int, int]:
    """(all pods, ready pods, pods of the current template) across the Deployment's ReplicaSets."""
    total = ready = updated = 0
    replicasets: list[Obj] = ctx.store.dependents(dep["metadata"]["uid"], "replicasets")
    for rs in replicasets:
        pods: list[Obj] = ctx.store.dependents(rs["metadata"]["uid"], "pods")
        total += len(pods)
        ready += sum(1 for p in pods if is_ready(p))
        if rs["metadata"]["name"].endswith(h):
            updated += len(pods)
    return total, ready, updated


def _replica_counts(dep: Obj, total: int, ready: int, updated: int, want: int) -> Obj:
    available = ready
    status: Obj = {
        "observedGeneration": dep["metadata"].get("generation", 1),
        "replicas": total,
        "updatedReplicas": updated,
        "readyReplicas": ready,
        "availableReplicas": available,
        "unavailableReplicas": max(0, want - available),
    }
    for key in (
        "readyReplicas",
        "availableReplicas",
        "unavailableReplicas",
        "updatedReplicas",
        "replicas",
    ):
        if status[key] == 0:
            status.pop(key)
    return status


def _conditions(
    dep: Obj, total: int, ready: int, updated: int, want: int, rs_name: str
) -> list[Obj]:
    """Available and Progressing, keeping their timestamps while status and reason hold."""
    available = ready
    stamp = now_rfc3339()
    old_conditions = {c["type"]: c for c in (dep.get("status") or {}).get("conditions") or []}
    conditions = []
    for ctype, ok, reason, msg in (
        (
            "Available",
            available >= want,
            "MinimumReplicasAvailable" if available >= want else "MinimumReplicasUnavailable",
            "Deployment has minimum availability."
            if available >= want
            else "Deployment does not have minimum availability.",
        ),
        (
            "Progressing",
            True,
            "NewReplicaSetAvailable" if updated == total and ready == want else "ReplicaSetUpdated",
            f'ReplicaSet "{rs_name}" is progressing.',
        ),
    ):
        value = "True" if ok else "False"
        prev = old_conditions.get(ctype)
        # the previous condition when status and reason hold (its timestamps carry over), else {}
        kept: Obj = (
            prev if prev and prev.get("status") == value and prev.get("reason") == reason else {}
        )
        conditions.append(
            {
                "type": ctype,
                "status": value,
                "reason": reason,
                "message": msg,
                "lastUpdateTime": kept.get("lastUpdateTime", stamp),
                "lastTransitionTime": kept.get("lastTransitionTime", stamp),
            }
        )
    return conditions

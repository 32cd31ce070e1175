"""The Deployment controller: one ReplicaSet per pod template (named by its hash) carrying the
revision annotation; a rolling update within maxSurge/maxUnavailable (old pods go as new ones
get ready) or Recreate; old ReplicaSets kept at zero replicas up to revisionHistoryLimit (rollout
history and undo); the Deployment's status and conditions."""

from __future__ import annotations

import math
from typing import Any

from k8s.simulator.controllers.context import Context
from k8s.simulator.controllers.objects import DEP, RS, Obj, is_ready, owner_ref, template_hash
from k8s.simulator.store import clone, now_rfc3339

REVISION = "deployment.kubernetes.io/revision"


def revision(rs: Obj) -> int:
    try:
        return int(((rs.get("metadata") or {}).get("annotations") or {}).get(REVISION, 0))
    except ValueError:
        return 0


def reconcile_deployment(ctx: Context, ns: str, name: str) -> None:
    """Make the Deployment's ReplicaSets match its template and replica count: a rolling update
    within maxSurge/maxUnavailable, old ReplicaSets kept at zero up to revisionHistoryLimit."""
    dep = ctx.store.get("deployments", ns, name)
    if dep is None or dep["metadata"].get("deletionTimestamp"):
        return
    h = _template_hash(dep)
    rs_name = f"{name}-{h}"
    owned: list[Obj] = ctx.store.dependents(dep["metadata"]["uid"], "replicasets")
    top = max((revision(r) for r in owned), default=0)
    new = next((r for r in owned if r["metadata"]["name"] == rs_name), None)
    olds = sorted((r for r in owned if r is not new), key=revision)
    if new is None:
        new = _create_replicaset(ctx, dep, ns, rs_name, h, top + 1, _initial(dep, olds))
    elif revision(new) < top:  # rolled back to an older template: it becomes the newest revision
        new["metadata"].setdefault("annotations", {})[REVISION] = str(top + 1)
        new = ctx.api.update(RS, ns, rs_name, new)
    _note_revision(ctx, dep, ns, revision(new))
    if (dep["spec"].get("strategy") or {}).get("type") == "Recreate":
        _recreate(ctx, dep, ns, new, olds)
    else:
        _roll(ctx, dep, ns, new, olds)
    _prune_history(ctx, dep, ns, olds)
    deployment_status(ctx, ns, name)


_HASHES: dict[tuple[str, int], str] = {}


def _template_hash(dep: Obj) -> str:
    """The hash of the Deployment's pod template, computed once per generation (the
    generation moves with every change of the spec)."""
    meta = dep["metadata"]
    key = (meta.get("uid", ""), meta.get("generation", 0))
    h = _HASHES.get(key)
    if h is None:
        if len(_HASHES) > 100_000:
            _HASHES.clear()
        h = _HASHES[key] = template_hash(dep["spec"]["template"])
    return h


def _note_revision(ctx: Context, dep: Obj, ns: str, rev: int) -> None:
    annotations = dep["metadata"].setdefault("annotations", {})
    if annotations.get(REVISION) != str(rev):
        annotations[REVISION] = str(rev)
        ctx.api.update(DEP, ns, dep["metadata"]["name"], dep)


def _resolve(value: Any, total: int, round_up: bool) -> int:
    if isinstance(value, str) and value.endswith("%"):
        exact = int(value[:-1]) * total / 100
        return math.ceil(exact) if round_up else math.floor(exact)
    return int(value or 0)


def _limits(dep: Obj) -> tuple[int, int, int]:
    """(wanted replicas, max surge, max unavailable) of a RollingUpdate Deployment."""
    want = dep["spec"].get("replicas", 1)
    rolling = (dep["spec"].get("strategy") or {}).get("rollingUpdate") or {}
    surge = _resolve(rolling.get("maxSurge", "25%"), want, True)
    unavailable = _resolve(rolling.get("maxUnavailable", "25%"), want, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return want, surge, unavailable


def _initial(dep: Obj, olds: list[Obj]) -> int:
    want, surge, _ = _limits(dep)
    if (dep["spec"].get("strategy") or {}).get("type") == "Recreate":
        return 0 if any(o["spec"].get("replicas", 0) for o in olds) else want
    return max(0, min(want, want + surge - sum(o["spec"].get("replicas", 0) for o in olds)))


def _ready(ctx: Context, rs: Obj) -> int:
    pods = ctx.store.raw_dependents(rs["metadata"]["uid"], "pods")
    return min(sum(1 for p in pods if is_ready(p)), rs["spec"].get("replicas", 0))


def _roll(ctx: Context, dep: Obj, ns: str, new: Obj, olds: list[Obj]) -> None:
    want, surge, unavailable = _limits(dep)
    current = new["spec"].get("replicas", 0)
    old_total = sum(o["spec"].get("replicas", 0) for o in olds)
    target = want if not old_total else min(want, want + surge - old_total)
    if current > want or target > current:  # scale down to want, or up within the surge
        current = _set_replicas(ctx, dep, ns, new, want if current > want else target)
    if not old_total:
        return
    min_available = want - unavailable
    new_unavailable = max(0, current - _ready(ctx, new))
    budget = current + old_total - min_available - new_unavailable
    for old in olds:  # first the old pods that are not ready anyway
        unhealthy = old["spec"].get("replicas", 0) - _ready(ctx, old)
        take = min(max(budget, 0), max(unhealthy, 0))
        if take:
            _set_replicas(ctx, dep, ns, old, old["spec"]["replicas"] - take)
            budget -= take
    available = _ready(ctx, new) + sum(_ready(ctx, o) for o in olds)
    budget = available - min_available
    for old in olds:
        take = min(max(budget, 0), old["spec"].get("replicas", 0))
        if take:
            _set_replicas(ctx, dep, ns, old, old["spec"]["replicas"] - take)
            budget -= take


def _recreate(ctx: Context, dep: Obj, ns: str, new: Obj, olds: list[Obj]) -> None:
    for old in olds:
        if old["spec"].get("replicas", 0):
            _set_replicas(ctx, dep, ns, old, 0)
    if not any(ctx.store.raw_dependents(o["metadata"]["uid"], "pods") for o in olds):
        _set_replicas(ctx, dep, ns, new, dep["spec"].get("replicas", 1))


def _create_replicaset(
    ctx: Context, dep: Obj, ns: str, rs_name: str, h: str, rev: int, replicas: int
) -> Obj:
    spec, template = dep["spec"], dep["spec"]["template"]
    labels = {**(template.get("metadata") or {}).get("labels", {}), "pod-template-hash": h}
    rs = {
        "metadata": {
            "name": rs_name,
            "namespace": ns,
            "labels": labels,
            "ownerReferences": [owner_ref(dep)],
            "annotations": {REVISION: str(rev)},
        },
        "spec": {
            "replicas": replicas,
            "selector": {
                "matchLabels": {**spec["selector"]["matchLabels"], "pod-template-hash": h}
            },
            "template": {
                "metadata": {**(template.get("metadata") or {}), "labels": labels},
                "spec": template.get("spec") or {},
            },
        },
    }
    created = ctx.api.create(RS, ns, rs)
    ctx.events.record(
        dep, "ScalingReplicaSet", f"Scaled up replica set {rs_name} from 0 to {replicas}"
    )
    return clone(created)  # the rollout changes its replica count


def _set_replicas(ctx: Context, dep: Obj, ns: str, rs: Obj, replicas: int) -> int:
    before = rs["spec"].get("replicas", 0)
    if before == replicas:
        return replicas
    rs["spec"]["replicas"] = replicas
    updated = ctx.api.update(RS, ns, rs["metadata"]["name"], rs)
    rs["metadata"] = updated["metadata"]
    verb = "up" if replicas > before else "down"
    ctx.events.record(
        dep,
        "ScalingReplicaSet",
        f"Scaled {verb} replica set {rs['metadata']['name']} from {before} to {replicas}",
    )
    return replicas


def _prune_history(ctx: Context, dep: Obj, ns: str, olds: list[Obj]) -> None:
    """Delete the oldest idle ReplicaSets beyond revisionHistoryLimit (rollout history keeps
    the rest, with their revision annotation)."""
    limit = dep["spec"].get("revisionHistoryLimit", 10)
    idle = [
        o
        for o in olds
        if not o["spec"].get("replicas", 0)
        and not ctx.store.raw_dependents(o["metadata"]["uid"], "pods")
    ]
    for old in idle[: max(0, len(idle) - limit)]:
        ctx.api.delete(RS, ns, old["metadata"]["name"])


def deployment_status(ctx: Context, ns: str, name: str) -> None:
    """Write the Deployment's replica counts and conditions when they changed."""
    dep = ctx.store.peek("deployments", ns, name)  # read only: the write sends a new object
    if dep is None:
        return
    h = _template_hash(dep)
    total, ready, updated = _pod_counts(ctx, dep, h)
    want = dep["spec"].get("replicas", 1)
    status = _replica_counts(dep, total, ready, updated, want)
    status["conditions"] = _conditions(dep, total, ready, updated, want, f"{name}-{h}")
    if dep.get("status") != status:
        ctx.api.update(DEP, ns, name, {**dep, "status": status}, "status")


def _pod_counts(ctx: Context, dep: Obj, h: str) -> tuple[int, int, int]:
    """(all pods, ready pods, pods of the current template) across the Deployment's ReplicaSets."""
    total = ready = updated = 0
    replicasets: list[Obj] = ctx.store.raw_dependents(dep["metadata"]["uid"], "replicasets")
    for rs in replicasets:
        pods: list[Obj] = ctx.store.raw_dependents(rs["metadata"]["uid"], "pods")
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

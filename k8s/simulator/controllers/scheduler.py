"""The scheduler: places a pending pod on the least-loaded node that matches its node selector,
tolerates the node's GPU taint and has room for its requests; otherwise marks it Unschedulable
and tries again later. It keeps the per-node usage that decides "room"."""

from __future__ import annotations

from functools import partial

from k8s.simulator.controllers.context import Context
from k8s.simulator.controllers.kubelet import set_pod_status, start_pod, waiting_status
from k8s.simulator.controllers.objects import POD, Obj, pod_requests, quantity
from k8s.simulator.store import clone, now_rfc3339

UNSCHEDULABLE_RETRY_S = 2.0


def schedule_pod(ctx: Context, ns: str, name: str) -> None:
    """Bind the pod to a node, or record why none fits and retry."""
    stored = ctx.store.peek("pods", ns, name)
    if stored is None or stored["spec"].get("nodeName"):
        return
    pod = clone(stored)
    need = pod_requests(pod)
    nodes = _nodes(ctx)
    chosen, short = _pick_node(ctx, pod, need, nodes)
    if chosen is None:
        _mark_unschedulable(ctx, pod, short, len(nodes))
        ctx.work.after(UNSCHEDULABLE_RETRY_S, lambda: schedule_pod(ctx, ns, name))
        return
    _bind(ctx, pod, chosen, need, nodes.index(chosen))
    ctx.work.after(ctx.config.pod_start_delay_s, lambda: start_pod(ctx, ns, name))


def _nodes(ctx: Context) -> list[Obj]:
    """The nodes by name, sorted again only when a node changed."""
    raw: list[Obj] = ctx.store.iter_raw("nodes")
    stamp = tuple(n["metadata"]["resourceVersion"] for n in raw)
    if ctx.nodes_sorted[0] != stamp:
        ctx.nodes_sorted = (stamp, sorted(raw, key=lambda n: n["metadata"]["name"]))
    return ctx.nodes_sorted[1]


def _allocatable(node: Obj) -> dict[str, float]:
    """The node's allocatable cpu, memory and GPUs as numbers (parsed once per node version)."""
    key = (node["metadata"]["name"], node["metadata"]["resourceVersion"])
    parsed = _ALLOCATABLE.get(key)
    if parsed is None:
        alloc = node["status"]["allocatable"]
        parsed = {k: quantity(alloc.get(k, 0)) for k in ("cpu", "memory", "nvidia.com/gpu")}
        if len(_ALLOCATABLE) > 10_000:
            _ALLOCATABLE.clear()
        _ALLOCATABLE[key] = parsed
    return parsed


_ALLOCATABLE: dict[tuple[str, str], dict[str, float]] = {}


def _pick_node(
    ctx: Context, pod: Obj, need: dict[str, float], nodes: list[Obj]
) -> tuple[Obj | None, dict[str, int]]:
    """The least-loaded fitting node (by CPU share, then name), and the count of each reason
    the other nodes were refused."""
    selector = pod["spec"].get("nodeSelector") or {}
    best: tuple[float, str] | None = None
    chosen = None
    for node in nodes:
        name = node["metadata"]["name"]
        used = ctx.usage.get(name) or _NOTHING
        alloc = _allocatable(node)
        if not _fits(node, selector, need, used, alloc):
            continue
        rank = (used["cpu"] / max(alloc["cpu"] or 1.0, 0.001), name)
        if best is None or rank < best:
            best, chosen = rank, node
    short: dict[str, int] = {}
    if chosen is None:  # say why, node by node
        for node in nodes:
            used = ctx.usage.get(node["metadata"]["name"]) or _NOTHING
            for why in _refusal(node, selector, need, used):
                short[why] = short.get(why, 0) + 1
    return chosen, short


_NOTHING = {"cpu": 0.0, "memory": 0.0, "nvidia.com/gpu": 0.0}


def _fits(
    node: Obj,
    selector: dict[str, str],
    need: dict[str, float],
    used: dict[str, float],
    alloc: dict[str, float],
) -> bool:
    """Whether the node can take the pod (what ``_refusal`` says, without the reasons)."""
    if selector:
        labels = node["metadata"].get("labels") or {}
        if any(labels.get(k) != v for k, v in selector.items()):
            return False
    gpu = need["nvidia.com/gpu"]
    if alloc["nvidia.com/gpu"] and not gpu:
        return False
    cpu, memory = need["cpu"], need["memory"]
    return not (
        (cpu and used["cpu"] + cpu > alloc["cpu"])
        or (memory and used["memory"] + memory > alloc["memory"])
        or (gpu and used["nvidia.com/gpu"] + gpu > alloc["nvidia.com/gpu"])
    )


def _refusal(
    node: Obj, selector: dict[str, str], need: dict[str, float], used: dict[str, float]
) -> list[str]:
    """Why the node cannot take the pod (empty when it can)."""
    labels = node["metadata"].get("labels") or {}
    if any(labels.get(k) != v for k, v in selector.items()):
        return ["node(s) didn't match Pod's node affinity/selector"]
    alloc = _allocatable(node)
    if alloc["nvidia.com/gpu"] and not need["nvidia.com/gpu"]:
        # GPU pools carry the nvidia.com/gpu NoSchedule taint; only GPU pods tolerate it.
        return ["node(s) had untolerated taint {nvidia.com/gpu: present}"]
    lacking = [k for k, v in need.items() if v and used.get(k, 0.0) + v > alloc[k]]
    return [f"Insufficient {k}" for k in lacking]


def _mark_unschedulable(ctx: Context, pod: Obj, short: dict[str, int], node_count: int) -> None:
    """Set PodScheduled=False (Unschedulable) and warn, unless the message is unchanged."""
    parts = ", ".join(f"{n} {why}" for why, n in sorted(short.items()))
    msg = f"0/{node_count} nodes are available: {parts}."
    cond = {
        "type": "PodScheduled",
        "status": "False",
        "reason": "Unschedulable",
        "message": msg,
        "lastTransitionTime": now_rfc3339(),
    }
    status = pod["status"]
    prev = (status.get("conditions") or [{}])[0]
    if prev.get("message") != msg:
        set_pod_status(ctx, pod, {**status, "phase": "Pending", "conditions": [cond]})
        ctx.events.record(pod, "FailedScheduling", msg, "Warning", "default-scheduler")


def _bind(ctx: Context, pod: Obj, node: Obj, need: dict[str, float], node_index: int) -> None:
    """Assign the pod to the node, count its requests there, and mark containers creating."""
    ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
    node_name = node["metadata"]["name"]
    pod["spec"]["nodeName"] = node_name
    bound = ctx.api.update(POD, ns, name, pod)
    used = ctx.usage.setdefault(node_name, {"cpu": 0.0, "memory": 0.0, "nvidia.com/gpu": 0.0})
    for k, v in need.items():
        used[k] += v
    set_pod_status(ctx, bound, _scheduled_status(bound, node_index))
    ctx.events.record(
        bound,
        "Scheduled",
        f"Successfully assigned {ns}/{name} to {node_name}",
        component="default-scheduler",
    )


def _scheduled_status(pod: Obj, node_index: int) -> Obj:
    stamp = now_rfc3339()
    not_ready = {"status": "False", "reason": "ContainersNotReady", "lastTransitionTime": stamp}
    return {
        "phase": "Pending",
        "hostIP": f"10.128.0.{node_index + 2}",
        "startTime": stamp,
        "conditions": [
            {"type": "PodScheduled", "status": "True", "lastTransitionTime": stamp},
            {"type": "Initialized", "status": "True", "lastTransitionTime": stamp},
            {"type": "Ready", **not_ready},
            {"type": "ContainersReady", **not_ready},
        ],
        "containerStatuses": [
            waiting_status(c, "ContainerCreating", "") for c in pod["spec"]["containers"]
        ],
        "qosClass": "Burstable",
    }


def retry_pending(ctx: Context) -> None:
    """Try again to place every pod not yet on a node (room may have been freed)."""
    with ctx.store.lock:  # writers' threads add to it
        unbound = sorted(ctx.unbound)
    for ns, name in unbound:
        ctx.work.after(0, partial(schedule_pod, ctx, ns, name))


def release_pod(ctx: Context, pod: Obj) -> None:
    """Give a deleted pod's requests back to its node."""
    node = (pod.get("spec") or {}).get("nodeName")
    used = ctx.usage.get(node) if node else None
    if used is not None:
        for k, v in pod_requests(pod).items():
            used[k] = max(0.0, used[k] - v)

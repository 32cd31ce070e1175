"""Reads for a model's panel and the Cluster tab that the watch does not keep: the rollout history
(ReplicaSets), pod logs (``pods/log``), and managed objects as a whole (to adopt or delete
them). Through the official client, with the gateway's retries and error messages."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial
from typing import Any

from k8s.gateway import ClusterGateway, NotFoundError

Obj = dict[str, Any]
REVISION = "deployment.kubernetes.io/revision"
LOG_LINES = 200


@dataclass(frozen=True)
class RolloutRevision:
    """One ReplicaSet of a Deployment: its revision, image, creation time and pods."""

    revision: int
    name: str
    image: str
    created: str | None
    replicas: int
    ready: int
    current: bool  # the newest revision (the template the Deployment runs now)


def rollout_history(gateway: ClusterGateway, namespace: str, name: str) -> list[RolloutRevision]:
    """The Deployment's ReplicaSets, newest first (those the cluster still keeps: up to its
    ``revisionHistoryLimit``)."""
    resp = gateway.request(
        partial(
            gateway.apps.list_namespaced_replica_set,
            namespace,
            label_selector=f"model={name}",
            _preload_content=False,
        ),
        f"ReplicaSets of {namespace}/{name}",
        "list",
    )
    items = json.loads(resp.data).get("items") or []
    out = []
    for rs in items:
        meta = rs.get("metadata") or {}
        owners = meta.get("ownerReferences") or []
        if owners and not any(
            o.get("kind") == "Deployment" and o.get("name") == name for o in owners
        ):
            continue
        containers = (((rs.get("spec") or {}).get("template") or {}).get("spec") or {}).get(
            "containers"
        ) or []
        image = next((c.get("image") for c in containers if c.get("name") == "model"), None)
        status = rs.get("status") or {}
        out.append(
            RolloutRevision(
                revision=int((meta.get("annotations") or {}).get(REVISION) or 0),
                name=meta.get("name") or "",
                image=image or (containers[0].get("image") if containers else "") or "",
                created=meta.get("creationTimestamp"),
                replicas=int(status.get("replicas") or 0),
                ready=int(status.get("readyReplicas") or 0),
                current=False,
            )
        )
    out.sort(key=lambda r: (r.revision, r.created or ""), reverse=True)
    if out:
        out[0] = RolloutRevision(**{**out[0].__dict__, "current": True})
    return out


def pod_logs(
    gateway: ClusterGateway, namespace: str, pod: str, *, tail: int = LOG_LINES
) -> list[str]:
    """The last ``tail`` lines of the pod's ``model`` container ([] when the pod is gone)."""
    try:
        text = gateway.request(
            partial(
                gateway.core.read_namespaced_pod_log,
                pod,
                namespace,
                container="model",
                tail_lines=tail,
            ),
            f"logs of Pod {namespace}/{pod}",
            "read",
            retries=1,
        )
    except NotFoundError:
        return []
    return str(text or "").splitlines()[-tail:]


def managed_objects(gateway: ClusterGateway, namespace: str, name: str) -> dict[str, Obj | None]:
    """The model's Deployment, Service and HPA as the cluster has them (None: not there)."""
    reads = {
        "Deployment": gateway.apps.read_namespaced_deployment,
        "Service": gateway.core.read_namespaced_service,
        "HorizontalPodAutoscaler": gateway.autoscaling.read_namespaced_horizontal_pod_autoscaler,
    }
    out: dict[str, Obj | None] = {}
    for kind, read in reads.items():
        try:
            out[kind] = gateway.to_dict(
                gateway.request(
                    partial(read, name, namespace), f"{kind} {namespace}/{name}", "read"
                )
            )
        except NotFoundError:
            out[kind] = None
    return out


__all__ = [
    "RolloutRevision",
    "managed_objects",
    "pod_logs",
    "rollout_history",
]

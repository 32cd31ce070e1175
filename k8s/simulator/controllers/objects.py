"""Small facts about Kubernetes objects shared by every controller: the resource kinds they
write, quantities, a pod's resource requests, owner references, template hashes, readiness."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from kubernetes.utils import parse_quantity

from k8s.simulator.api import BY_PLURAL

Obj = dict[str, Any]
DEP, RS, POD, HPA, EVT = (
    BY_PLURAL[p]
    for p in ("deployments", "replicasets", "pods", "horizontalpodautoscalers", "events")
)


def quantity(value: Any) -> float:
    """A Kubernetes quantity ("500m", "2Gi", 1) as a number; 0.0 when it does not parse."""
    try:
        return float(parse_quantity(value))
    except (ValueError, TypeError):
        return 0.0


def pod_requests(pod: Obj) -> dict[str, float]:
    """The pod's summed container requests for cpu, memory and GPUs."""
    out = {"cpu": 0.0, "memory": 0.0, "nvidia.com/gpu": 0.0}
    for c in (pod.get("spec") or {}).get("containers") or []:
        req = (c.get("resources") or {}).get("requests") or {}
        for k in out:
            if k in req:
                out[k] += quantity(req[k])
    return out


def owner_ref(obj: Obj) -> Obj:
    """A controller owner reference pointing at ``obj``."""
    return {
        "apiVersion": obj["apiVersion"],
        "kind": obj["kind"],
        "name": obj["metadata"]["name"],
        "uid": obj["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def _significant(value: Any) -> Any:
    """``value`` without nulls and empty maps or lists (how a typed decoder sees it the same)."""
    if isinstance(value, dict):
        out = {k: _significant(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, {}, [])}
    if isinstance(value, list):
        return [_significant(v) for v in value]
    return value


def template_hash(template: Obj) -> str:
    """A short stable hash of a pod template (the ReplicaSet name suffix); a template sent back
    with explicit nulls or empty fields (as ``kubectl rollout undo`` does) hashes the same."""
    text = json.dumps(_significant(template), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def is_ready(pod: Obj) -> bool:
    """True when the pod's Ready condition is True."""
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (pod.get("status") or {}).get("conditions") or []
    )

"""From the cluster back to records: a record (file format) read from a managed Deployment that
has none (adopt), and the record revision a ReplicaSet of the rollout history stands for (roll
back to it). Pure functions over plain dicts and revisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from barista_ui.records.record import RevisionView
from k8s.manifests import OWNER

Obj = dict[str, Any]
BARISTA_LABELS = ("app.kubernetes.io/name", "app.kubernetes.io/managed-by", "team", "model")
BARISTA_ENV = ("MODEL_NAME", "MODEL_URI", "MODEL_VERSION")
GPU_SELECTOR = "cloud.google.com/gke-accelerator"
GPU = "nvidia.com/gpu"
SAVE_TO_APPLY = timedelta(minutes=1)  # a record is saved just before its ReplicaSet is made


def record_from_live(deployment: Obj, hpa: Obj | None = None) -> Obj:
    """The record that renders (as near as the format allows) what this Deployment runs."""
    meta, spec = deployment.get("metadata") or {}, deployment.get("spec") or {}
    labels = meta.get("labels") or {}
    pod = (spec.get("template") or {}).get("spec") or {}
    containers = pod.get("containers") or [{}]
    c = next((x for x in containers if x.get("name") == "model"), containers[0])
    env = {e["name"]: _env_value(e) for e in c.get("env") or [] if e.get("name")}
    res = c.get("resources") or {}
    requests, limits = dict(res.get("requests") or {}), dict(res.get("limits") or {})
    gpus = int(str(limits.pop(GPU, requests.pop(GPU, 0)) or 0))
    requests.pop(GPU, None)
    ports = c.get("ports") or []
    record: Obj = {
        "name": labels.get("model") or meta.get("name"),
        "namespace": meta.get("namespace") or "default",
        "team": labels.get("team") or "unassigned",
        "owner": (meta.get("annotations") or {}).get(OWNER) or "",
        "image": c.get("image") or "",
        "model_uri": str(env.pop("MODEL_URI", "") or ""),
        "model_version": str(env.pop("MODEL_VERSION", "") or ""),
        "port": int(ports[0].get("containerPort") or 8080) if ports else 8080,
        "replicas": int(spec.get("replicas") or 0),
        "resources": {
            "requests": {k: requests[k] for k in ("cpu", "memory") if k in requests},
            "limits": {k: limits[k] for k in ("cpu", "memory") if k in limits},
            "gpu": {"count": gpus, "type": (pod.get("nodeSelector") or {}).get(GPU_SELECTOR)},
        },
        "env": {k: v for k, v in env.items() if k not in BARISTA_ENV},
        "labels": {k: v for k, v in labels.items() if k not in BARISTA_LABELS},
    }
    if hpa is not None:
        hspec = hpa.get("spec") or {}
        record["autoscaling"] = {
            "enabled": True,
            "min": int(hspec.get("minReplicas") or 1),
            "max": int(hspec.get("maxReplicas") or 1),
            "target_cpu_percent": _cpu_target(hspec),
        }
    return record


def _env_value(entry: Obj) -> Any:
    ref = (entry.get("valueFrom") or {}).get("secretKeyRef")
    if ref:
        return {"secretKeyRef": {"name": ref.get("name"), "key": ref.get("key")}}
    return entry.get("value") or ""


def _cpu_target(hpa_spec: Obj) -> int:
    for metric in hpa_spec.get("metrics") or []:
        resource = metric.get("resource") or {}
        if resource.get("name") == "cpu":
            return int((resource.get("target") or {}).get("averageUtilization") or 70)
    return 70


def revision_for_image(
    history: list[RevisionView], image: str, created: datetime | None
) -> RevisionView | None:
    """The record revision a ReplicaSet stands for: the latest revision with a snapshot running
    ``image`` saved before the ReplicaSet was made (a minute's slack: the save comes first);
    else the latest with that image at all; None when no revision ever ran it."""
    runs = [r for r in history if r.snapshot is not None and r.snapshot.get("image") == image]
    if not runs:
        return None
    if created is not None:
        before = [r for r in runs if _aware(r.created_at) <= created + SAVE_TO_APPLY]
        if before:
            return max(before, key=lambda r: r.number)
    return max(runs, key=lambda r: r.number)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)

"""Renders a model record (Barista's file-format dict) into Kubernetes objects."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import yaml

MANAGED_BY = "barista"
FIELD_MANAGER = "barista"  # the fieldManager of Barista's writes (who changed a field)
CONFIG_HASH = "barista.io/config-hash"
OWNER = "barista.io/owner"
ORIGINAL_REPLICAS = "barista.io/original-replicas"  # set while the scheduler holds it down
MANAGED_SELECTOR = "app.kubernetes.io/managed-by=barista"

Obj = dict[str, Any]


def labels_for(record: Obj) -> dict[str, str]:
    """Record labels plus the four Barista sets on every object and pod (cost reads them)."""
    return {
        **(record.get("labels") or {}),
        "app.kubernetes.io/name": record["name"],
        "app.kubernetes.io/managed-by": MANAGED_BY,
        "team": record["team"],
        "model": record["name"],
    }


def selector_for(record: Obj) -> dict[str, str]:
    return {"app.kubernetes.io/name": record["name"], "model": record["name"]}


def _resources(record: Obj) -> Obj:
    res = record.get("resources") or {}
    requests = {k: str(v) for k, v in (res.get("requests") or {}).items() if v is not None}
    limits = {k: str(v) for k, v in (res.get("limits") or {}).items() if v is not None}
    gpu = res.get("gpu") or {}
    if gpu.get("count"):
        requests["nvidia.com/gpu"] = str(gpu["count"])
        limits["nvidia.com/gpu"] = str(gpu["count"])
    out: Obj = {"requests": requests}
    if limits:
        out["limits"] = limits
    return out


def _metadata(record: Obj, *, with_hash: str | None = None) -> Obj:
    meta: Obj = {
        "name": record["name"],
        "namespace": record["namespace"],
        "labels": labels_for(record),
    }
    annotations = {OWNER: record.get("owner") or ""}
    if with_hash:
        annotations[CONFIG_HASH] = with_hash
    meta["annotations"] = annotations
    return meta


def env_var(name: str, value: Any) -> Obj:
    """A container env entry: a plain value, or ``valueFrom.secretKeyRef`` for a record's
    ``{secretKeyRef: {name, key}}`` (the value then never leaves the cluster)."""
    if isinstance(value, dict) and "secretKeyRef" in value:
        ref = value["secretKeyRef"]
        return {
            "name": name,
            "valueFrom": {"secretKeyRef": {"name": ref["name"], "key": ref["key"]}},
        }
    return {"name": name, "value": str(value)}


def deployment_spec(record: Obj) -> Obj:
    """The Deployment spec without replicas (what the config hash covers)."""
    env = [env_var(k, v) for k, v in (record.get("env") or {}).items()]
    env += [
        {"name": "MODEL_NAME", "value": record["name"]},
        {"name": "MODEL_URI", "value": record.get("model_uri") or ""},
        {"name": "MODEL_VERSION", "value": record.get("model_version") or ""},
    ]
    port = int(record.get("port") or 8080)
    container: Obj = {
        "name": "model",
        "image": record["image"],
        "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"}],
        "env": env,
        "resources": _resources(record),
        "readinessProbe": {
            "tcpSocket": {"port": port},
            "initialDelaySeconds": 5,
            "periodSeconds": 10,
        },
    }
    pod_spec: Obj = {"containers": [container]}
    gpu = (record.get("resources") or {}).get("gpu") or {}
    if gpu.get("count"):
        if gpu.get("type"):
            pod_spec["nodeSelector"] = {"cloud.google.com/gke-accelerator": gpu["type"]}
        pod_spec["tolerations"] = [
            {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
        ]
    return {
        "selector": {"matchLabels": selector_for(record)},
        "template": {
            "metadata": {"labels": labels_for(record)},
            "spec": pod_spec,
        },
    }


def config_hash(record: Obj) -> str:
    """Hash of everything Barista renders except the replica count."""
    payload = {
        "deployment": deployment_spec(record),
        "labels": labels_for(record),
        "owner": record.get("owner") or "",
        "service": service(record)["spec"],
        "hpa": hpa(record)["spec"] if (record.get("autoscaling") or {}).get("enabled") else None,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def deployment(record: Obj, replicas: int) -> Obj:
    spec = deployment_spec(record)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(record, with_hash=config_hash(record)),
        "spec": {"replicas": replicas, **spec},
    }


def service(record: Obj) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(record),
        "spec": {
            "type": "ClusterIP",
            "selector": selector_for(record),
            "ports": [
                {
                    "name": "http",
                    "port": 80,
                    "targetPort": int(record.get("port") or 8080),
                    "protocol": "TCP",
                }
            ],
        },
    }


def hpa(record: Obj) -> Obj:
    auto = record.get("autoscaling") or {}
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": _metadata(record),
        "spec": {
            "scaleTargetRef": {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "name": record["name"],
            },
            "minReplicas": int(auto.get("min", 1)),
            "maxReplicas": int(auto.get("max", 1)),
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {
                            "type": "Utilization",
                            "averageUtilization": int(auto.get("target_cpu_percent", 70)),
                        },
                    },
                }
            ],
        },
    }


def render(record: Obj, replicas: int) -> list[Obj]:
    """Deployment, Service and (when autoscaling is on) an autoscaling/v2 HPA."""
    objects = [deployment(record, replicas), service(record)]
    if (record.get("autoscaling") or {}).get("enabled"):
        objects.append(hpa(record))
    return objects


def render_yaml(record: Obj, replicas: int) -> str:
    return yaml.safe_dump_all(render(record, replicas), sort_keys=False, default_flow_style=False)


def held_down(deployment: dict[str, Any]) -> bool:
    """Whether the scheduler holds this Deployment down: its remembered count is on the object
    (the truth the scheduler's database memory caches)."""
    annotations = (deployment.get("metadata") or {}).get("annotations") or {}
    return ORIGINAL_REPLICAS in annotations

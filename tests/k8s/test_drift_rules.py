"""The drift rules on plain objects: what the server defaults or others own is not drift; every
field Barista renders is, with who changed it."""

from __future__ import annotations

import copy

from k8s.drift import LiveObjects, differences
from k8s.manifests import render
from tests.conftest import base_record


def live_of(record: dict) -> dict[str, dict]:
    return {o["kind"]: copy.deepcopy(o) for o in render(record, 2)}


def paths(record: dict, objs: dict[str, dict]) -> list[str]:
    live = LiveObjects(objs["Deployment"], objs.get("Service"), objs.get("HorizontalPodAutoscaler"))
    return [d.field for d in differences(record, live)]


def container(objs: dict[str, dict]) -> dict:
    return objs["Deployment"]["spec"]["template"]["spec"]["containers"][0]


def test_server_defaults_and_others_fields_are_not_drift() -> None:
    rec = base_record(model_version="")
    objs = live_of(rec)
    c = container(objs)
    c["imagePullPolicy"] = "IfNotPresent"
    c["resources"]["requests"]["cpu"] = "1000m"  # the same quantity, written otherwise
    c["readinessProbe"].update(timeoutSeconds=1, failureThreshold=3)
    for env in c["env"]:  # the server omits empty strings
        if env.get("value") == "":
            del env["value"]
    objs["Deployment"]["metadata"]["labels"]["argocd.argoproj.io/instance"] = "x"
    objs["Deployment"]["spec"]["strategy"] = {"type": "RollingUpdate"}
    objs["Deployment"]["spec"]["template"]["spec"]["containers"].append(
        {"name": "istio-proxy", "image": "istio/proxyv2"}
    )
    objs["Service"]["spec"]["clusterIP"] = "10.0.0.7"
    objs["Service"]["spec"]["ports"][0]["targetPort"] = "8080"
    assert paths(rec, objs) == []


def test_each_field_barista_renders_is_drift() -> None:
    rec = base_record(autoscaling={"enabled": True, "min": 1, "max": 4})
    objs = live_of(rec)
    c = container(objs)
    c["args"] = ["--debug"]
    c["env"] = [e for e in c["env"] if e["name"] != "MODEL_THREADS"]
    c["livenessProbe"] = {"tcpSocket": {"port": 8080}}
    c["readinessProbe"]["periodSeconds"] = 30
    pod = objs["Deployment"]["spec"]["template"]["spec"]
    pod["nodeSelector"] = {"pool": "spot"}
    objs["Deployment"]["metadata"]["annotations"]["barista.io/owner"] = "bob@example.com"
    objs["HorizontalPodAutoscaler"]["spec"]["metrics"][0]["resource"]["target"][
        "averageUtilization"
    ] = 50
    base = "Deployment.spec.template.spec"
    assert sorted(paths(rec, objs)) == sorted(
        [
            f"{base}.containers[model].args",
            f"{base}.containers[model].env[MODEL_THREADS]",
            f"{base}.containers[model].livenessProbe",
            f"{base}.containers[model].readinessProbe.periodSeconds",
            f"{base}.nodeSelector.pool",
            "Deployment.metadata.annotations.barista.io/owner",
            "HorizontalPodAutoscaler.spec.metrics",
        ]
    )


def test_hpa_and_service_presence() -> None:
    rec = base_record()
    objs = live_of(base_record(autoscaling={"enabled": True, "min": 1, "max": 4}))
    objs["Deployment"] = live_of(rec)["Deployment"]
    del objs["Service"]
    assert sorted(paths(rec, objs)) == [
        "HorizontalPodAutoscaler.(object)",
        "Service.(object)",
    ]


def test_who_changed_a_field_comes_from_managed_fields() -> None:
    rec = base_record()
    objs = live_of(rec)
    container(objs)["image"] = "other:2"
    img = {"f:image": {}}
    objs["Deployment"]["metadata"]["managedFields"] = [
        {
            "manager": "barista",
            "operation": "Update",
            "time": "2026-01-01T00:00:00Z",
            "fieldsV1": {"f:spec": {"f:replicas": {}}},
        },
        {
            "manager": "kubectl-set",
            "operation": "Update",
            "time": "2026-01-02T00:00:00Z",
            "fieldsV1": {
                "f:spec": {"f:template": {"f:spec": {"f:containers": {'k:{"name":"model"}': img}}}}
            },
        },
    ]
    (diff,) = differences(rec, LiveObjects(objs["Deployment"], objs["Service"]))
    assert (diff.manager, diff.time, diff.record, diff.live) == (
        "kubectl-set",
        "2026-01-02T00:00:00Z",
        "registry.example.com/fraud-scorer:1.4.2",
        "other:2",
    )
    assert "by kubectl-set at 2026-01-02T00:00:00Z" in diff.text()

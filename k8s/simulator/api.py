"""Validation as the apiserver does it (the checks Barista's writes can trip over); the resource
table, selectors and patches are re-exported from their modules."""

from __future__ import annotations

import re
from typing import Any

from kubernetes.utils import parse_quantity

from k8s.simulator.patches import json_patch, merge_patch, strategic_merge_patch
from k8s.simulator.resources import (
    BY_KIND,
    BY_PLURAL,
    RESOURCES,
    ApiError,
    Resource,
    already_exists,
    conflict,
    invalid,
    not_found,
)
from k8s.simulator.selectors import field_matcher, label_matcher

__all__ = [
    "BY_KIND",
    "BY_PLURAL",
    "RESOURCES",
    "ApiError",
    "Resource",
    "already_exists",
    "conflict",
    "field_matcher",
    "invalid",
    "json_patch",
    "label_matcher",
    "merge_patch",
    "not_found",
    "strategic_merge_patch",
    "validate",
]

Obj = dict[str, Any]


DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def _quantity(value: Any) -> float | None:
    try:
        return float(parse_quantity(value))
    except (ValueError, TypeError):
        return None


MAX_ANNOTATIONS_BYTES = 256 * 1024  # the apiserver's limit on all annotations of an object


def validate(res: Resource, obj: Obj) -> list[tuple[str, str]]:
    """The checks a real apiserver makes that Barista's writes can trip over."""
    errs: list[tuple[str, str]] = []
    name = obj.get("metadata", {}).get("name", "")
    pattern = DNS_LABEL if res.plural in ("namespaces", "services") else DNS_SUBDOMAIN
    if not name or len(name) > (63 if pattern is DNS_LABEL else 253) or not pattern.match(name):
        errs.append(
            (
                "metadata.name",
                f'Invalid value: "{name}": a lowercase RFC 1123 '
                f"{'label' if pattern is DNS_LABEL else 'subdomain'} must consist of lower case "
                "alphanumeric characters, '-' or '.', and must start and end with an "
                "alphanumeric character",
            )
        )
    annotations = obj.get("metadata", {}).get("annotations") or {}
    if sum(len(k) + len(str(v)) for k, v in annotations.items()) > MAX_ANNOTATIONS_BYTES:
        errs.append(
            ("metadata.annotations", f"Too long: must have at most {MAX_ANNOTATIONS_BYTES} bytes")
        )
    spec = obj.get("spec") or {}
    if res.plural == "deployments":
        replicas = spec.get("replicas", 1)
        if not isinstance(replicas, int) or replicas < 0:
            errs.append(
                ("spec.replicas", f"Invalid value: {replicas}: must be greater than or equal to 0")
            )
        selector = (spec.get("selector") or {}).get("matchLabels") or {}
        tmpl = spec.get("template") or {}
        tlabels = (tmpl.get("metadata") or {}).get("labels") or {}
        if not selector:
            errs.append(("spec.selector", "Required value"))
        elif any(tlabels.get(k) != v for k, v in selector.items()):
            errs.append(
                (
                    "spec.template.metadata.labels",
                    f"Invalid value: {tlabels}: `selector` does not match template `labels`",
                )
            )
        errs += _validate_pod_spec(tmpl.get("spec") or {}, "spec.template.spec")
    elif res.plural == "pods":
        errs += _validate_pod_spec(spec, "spec")
    elif res.plural == "horizontalpodautoscalers":
        lo, hi = spec.get("minReplicas", 1), spec.get("maxReplicas")
        if not isinstance(lo, int) or lo < 1:
            errs.append(
                ("spec.minReplicas", f"Invalid value: {lo}: must be greater than or equal to 1")
            )
        if not isinstance(hi, int) or (isinstance(lo, int) and hi < lo):
            errs.append(
                (
                    "spec.maxReplicas",
                    f"Invalid value: {hi}: must be greater than or equal to `minReplicas`",
                )
            )
    elif res.plural == "services":
        for i, port in enumerate(spec.get("ports") or []):
            if not 1 <= int(port.get("port", 0)) <= 65535:
                errs.append((f"spec.ports[{i}].port", "Invalid value: must be between 1 and 65535"))
    return errs


def _validate_pod_spec(spec: Obj, path: str) -> list[tuple[str, str]]:
    errs: list[tuple[str, str]] = []
    containers = spec.get("containers") or []
    if not containers:
        errs.append((f"{path}.containers", "Required value"))
    for i, c in enumerate(containers):
        cp = f"{path}.containers[{i}]"
        if not c.get("image"):
            errs.append((f"{cp}.image", "Required value"))
        resources = c.get("resources") or {}
        requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
        for kind, values in (("requests", requests), ("limits", limits)):
            for rname, v in values.items():
                q = _quantity(v)
                if q is None:
                    errs.append(
                        (
                            f"{cp}.resources.{kind}[{rname}]",
                            f'Invalid value: "{v}": quantities must match the regular '
                            "expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
                        )
                    )
                elif q < 0:
                    errs.append(
                        (
                            f"{cp}.resources.{kind}[{rname}]",
                            f'Invalid value: "{v}": must be greater than or equal to 0',
                        )
                    )
        for rname, v in requests.items():
            if rname in limits:
                rq, lq = _quantity(v), _quantity(limits[rname])
                if rq is not None and lq is not None and rq > lq:
                    errs.append(
                        (
                            f"{cp}.resources.requests",
                            f'Invalid value: "{v}": must be less than or equal to {rname} limit '
                            f"of {limits[rname]}",
                        )
                    )
        if "nvidia.com/gpu" in requests and requests.get("nvidia.com/gpu") != limits.get(
            "nvidia.com/gpu"
        ):
            errs.append(
                (
                    f"{cp}.resources.requests[nvidia.com/gpu]",
                    "Invalid value: must be equal to nvidia.com/gpu limit",
                )
            )
    return errs

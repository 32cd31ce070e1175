"""Drift: every field where the cluster runs something other than what Barista renders for a
record, with who changed it and when where the cluster says (``metadata.managedFields``).

Pure functions over plain dicts (the rendered objects of :mod:`k8s.manifests` and the live
objects as the API returns them). What is compared:

- **Deployment**: the labels and annotations Barista sets (others' extra labels are fine), the
  selector, the pod template's labels, node selector and tolerations, and the ``model``
  container whole: image, command, args, env (an added, removed or changed variable), ports,
  resources (quantities compared by value: ``0.5`` is ``500m``), and probes (the readiness probe
  Barista sets, any other probe added by hand).
- **Service**: labels/annotations, type, selector and ports (by port number).
- **HorizontalPodAutoscaler**: present when the record autoscales, absent otherwise; min, max,
  target and metrics.

Ignored: fields the server defaults (``imagePullPolicy``, ``strategy``, probe timeouts,
``clusterIP``...), status, containers added by admission webhooks (sidecars), and the replica
count (the replica rule in ``barista_ui.records.replicas`` judges that: an HPA or the scheduler
may own it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from k8s.managed_fields import field_path, owners
from k8s.manifests import FIELD_MANAGER, render
from k8s.quantity import parse_quantity

Obj = dict[str, Any]
Segment = str | tuple[str, Obj]  # a field name, or a list item by its merge key
CONTAINER = "model"
PROBES = ("readinessProbe", "livenessProbe", "startupProbe")


@dataclass(frozen=True)
class Difference:
    """One field that differs. ``record``/``live`` are None where the field is absent there."""

    kind: str
    name: str
    path: str
    record: Any
    live: Any
    manager: str | None = None
    operation: str | None = None
    time: str | None = None

    @property
    def field(self) -> str:
        return f"{self.kind}.{self.path}"

    def text(self) -> str:
        """``Deployment spec…image: record a:1, live a:2 (by kubectl-set at 2026-…)``."""
        who = ""
        if self.manager:
            who = f" (by {self.manager}" + (f" at {self.time}" if self.time else "") + ")"
        return f"{self.field}: record {shown(self.record)}, live {shown(self.live)}{who}"

    def as_dict(self) -> Obj:
        return {
            "object": f"{self.kind}/{self.name}",
            "field": self.path,
            "record": self.record,
            "live": self.live,
            "manager": self.manager,
            "operation": self.operation,
            "time": self.time,
        }


def shown(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class LiveObjects:
    """The live Deployment, Service and HPA of one model (None: not in the cluster)."""

    deployment: Obj | None
    service: Obj | None = None
    hpa: Obj | None = None


def differences(record: Obj, live: LiveObjects) -> list[Difference]:
    """Every differing field of the model's objects; [] when the cluster runs the record.

    A missing Deployment is not listed here (that is the ``Missing`` status)."""
    if live.deployment is None:
        return []
    wanted = {o["kind"]: o for o in render(record, 0)}
    name = record["name"]
    out = object_differences(wanted["Deployment"], live.deployment)
    if live.service is None:
        out.append(Difference("Service", name, "(object)", "present", None))
    else:
        out += object_differences(wanted["Service"], live.service)
    want_hpa = wanted.get("HorizontalPodAutoscaler")
    if want_hpa is not None and live.hpa is None:
        out.append(Difference("HorizontalPodAutoscaler", name, "(object)", "present", None))
    elif want_hpa is None and live.hpa is not None:
        extra = _Diff(live.hpa, "HorizontalPodAutoscaler", name)
        extra.add([], None, "present")
        out += extra.out
    elif want_hpa is not None and live.hpa is not None:
        out += object_differences(want_hpa, live.hpa)
    return out


def object_differences(want: Obj, live: Obj) -> list[Difference]:
    """The differences of one rendered object (Deployment, Service or HPA) from its live one."""
    d = _Diff(live, want["kind"], want["metadata"]["name"])
    COMPARE[want["kind"]](want, d)
    return d.out


# ------------------------------------------------------------------ per object


class _Diff:
    """Collects the differences of one live object, each with its field's manager."""

    def __init__(self, live: Obj, kind: str, name: str):
        self.live = live
        self.kind = kind
        self.name = name
        self.out: list[Difference] = []

    def add(self, segments: list[Segment], record: Any, live: Any) -> None:
        path = path_text(segments) or "(object)"
        diff = Difference(self.kind, self.name, path, record, live)
        self.out.append(_owned(self.live, diff, segments))

    def value(self, segments: list[Segment], record: Any, live: Any, *, norm=None) -> None:
        if record == live and type(record) is type(live):  # the usual case, at once
            return
        norm = norm or _same_value
        if norm(record) != norm(live):
            self.add(segments, record, live)

    def mapping(
        self, segments: list[Segment], record: Obj | None, live: Obj | None, *, norm=None
    ) -> None:
        """A map Barista owns whole: each key added, removed or changed is a difference."""
        record, live = record or {}, live or {}
        for key in sorted(set(record) | set(live)):
            self.value([*segments, key], record.get(key), live.get(key), norm=norm)

    def subset(self, segments: list[Segment], record: Obj | None, live: Obj | None) -> None:
        """Each key the record sets must match; keys only live has (server defaults, others'
        labels) are fine."""
        live = live or {}
        for key, want in (record or {}).items():
            have = live.get(key)
            if isinstance(want, dict) and isinstance(have, dict):
                self.subset([*segments, key], want, have)
            else:
                self.value([*segments, key], want, have)

    def keyed(
        self,
        segments: list[Segment],
        record: list[Obj],
        live: list[Obj],
        merge: tuple[str, ...],
        *,
        by: str = "name",
    ) -> None:
        """A list of items matched ``by`` their name (a port whose number changed is one
        change, not a removal and an addition): each item added, removed or changed is a
        difference. ``merge`` names the server's merge key (how managedFields names an item)."""

        def seg(item: Obj) -> tuple[str, Obj]:
            key = {k: item.get(k, "TCP" if k == "protocol" else None) for k in merge}
            return (str(item.get(by) or _k(key)), key)

        have = {seg(i)[0]: i for i in live or []}
        want = {seg(i)[0]: i for i in record or []}
        for label, item in want.items():
            if label not in have:
                self.add([*segments, seg(item)], item, None)
            else:
                at: Segment = (label, seg(have[label])[1])
                self.subset([*segments, at], item, have[label])
        for label, item in have.items():
            if label not in want:
                self.add([*segments, seg(item)], None, item)


def _deployment(want: Obj, d: _Diff) -> None:
    live = d.live
    _meta(d, want, live)
    spec, lspec = want["spec"], live.get("spec") or {}
    d.subset(["spec", "selector"], spec["selector"], lspec.get("selector"))
    tpl, ltpl = spec["template"], lspec.get("template") or {}
    d.subset(
        ["spec", "template", "metadata", "labels"],
        tpl["metadata"]["labels"],
        (ltpl.get("metadata") or {}).get("labels"),
    )
    pod, lpod = tpl["spec"], ltpl.get("spec") or {}
    base: list[Segment] = ["spec", "template", "spec"]
    d.mapping([*base, "nodeSelector"], pod.get("nodeSelector"), lpod.get("nodeSelector"))
    d.value([*base, "tolerations"], pod.get("tolerations"), lpod.get("tolerations"))
    container = pod["containers"][0]
    live_containers = {c.get("name"): c for c in lpod.get("containers") or []}
    seg: list[Segment] = [*base, "containers", (CONTAINER, {"name": CONTAINER})]
    if CONTAINER not in live_containers:
        d.add(seg, container.get("image"), None)
        return
    _container(d, seg, container, live_containers[CONTAINER])


def _container(d: _Diff, seg: list[Segment], want: Obj, have: Obj) -> None:
    for key in ("image", "command", "args"):
        d.value([*seg, key], want.get(key), have.get(key))
    d.keyed([*seg, "env"], want.get("env") or [], have.get("env") or [], ("name",))
    d.keyed(
        [*seg, "ports"],
        want.get("ports") or [],
        have.get("ports") or [],
        ("containerPort", "protocol"),
    )
    res, lres = want.get("resources") or {}, have.get("resources") or {}
    for part in ("requests", "limits"):
        d.mapping([*seg, "resources", part], res.get(part), lres.get(part), norm=_quantity)
    for probe in PROBES:
        if probe in want and isinstance(have.get(probe), dict):
            d.subset([*seg, probe], want[probe], have[probe])
        else:
            d.value([*seg, probe], want.get(probe), have.get(probe))


def _service(want: Obj, d: _Diff) -> None:
    live = d.live
    _meta(d, want, live)
    spec, lspec = want["spec"], live.get("spec") or {}
    d.value(["spec", "type"], spec["type"], lspec.get("type") or "ClusterIP")
    d.value(["spec", "selector"], spec["selector"], lspec.get("selector"))
    d.keyed(["spec", "ports"], spec["ports"], lspec.get("ports") or [], ("port", "protocol"))


def _hpa(want: Obj, d: _Diff) -> None:
    live = d.live
    _meta(d, want, live)
    spec, lspec = want["spec"], live.get("spec") or {}
    d.subset(["spec", "scaleTargetRef"], spec["scaleTargetRef"], lspec.get("scaleTargetRef"))
    for key in ("minReplicas", "maxReplicas", "metrics"):
        d.value(["spec", key], spec.get(key), lspec.get(key))


COMPARE = {"Deployment": _deployment, "Service": _service, "HorizontalPodAutoscaler": _hpa}


def _meta(d: _Diff, want: Obj, live: Obj) -> None:
    meta, lmeta = want["metadata"], live.get("metadata") or {}
    d.subset(["metadata", "labels"], meta.get("labels"), lmeta.get("labels"))
    d.subset(["metadata", "annotations"], meta.get("annotations"), lmeta.get("annotations"))


# ------------------------------------------------------------------ values


def _same_value(value: Any) -> Any:
    """Values as the server would store them: an int port and "8080" are the same, an empty
    string, list or map is none (the server omits them)."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        out = {k: v for k, v in ((k, _same_value(v)) for k, v in value.items()) if v is not None}
        return out or None
    if isinstance(value, list):
        return [_same_value(v) for v in value] or None
    return value


def _quantity(value: Any) -> Any:
    if value in (None, ""):
        return None
    try:
        return parse_quantity(value)
    except (ValueError, TypeError):
        return str(value)


def _k(key: Obj) -> str:
    return json.dumps(key, sort_keys=True, separators=(",", ":"), default=str)


def path_text(segments: list[Segment]) -> str:
    out = ""
    for seg in segments:
        if isinstance(seg, tuple):
            out += f"[{seg[0]}]"
        else:
            out += ("." if out else "") + seg
    return out


# ------------------------------------------------------------------ who changed it


def _owned(live: Obj, diff: Difference, segments: list[Segment]) -> Difference:
    """The difference with who changed it: the manager that last wrote the field
    (:func:`k8s.managed_fields.owners`); for a field no one owns any more (removed from the live
    object), the latest writer other than Barista."""
    # a status subresource's entry owns status fields only: it neither owns nor removed these
    entries = [
        e
        for e in (live.get("metadata") or {}).get("managedFields") or []
        if e.get("subresource") != "status"
    ]
    if not entries:
        return diff
    path = field_path(*(seg[1] if isinstance(seg, tuple) else seg for seg in segments))
    found = owners(entries, path) if diff.live is not None and segments else []
    if found:
        who: Obj = {
            "manager": found[0].manager,
            "operation": found[0].operation,
            "time": found[0].time,
        }
    else:  # the newest entry other than Barista's (managedFields keeps write order)
        others = [e for e in entries if e.get("manager") != FIELD_MANAGER] or entries
        who = max(enumerate(others), key=lambda ie: (str(ie[1].get("time") or ""), ie[0]))[1]
    return Difference(
        diff.kind,
        diff.name,
        diff.path,
        diff.record,
        diff.live,
        who.get("manager"),
        who.get("operation"),
        who.get("time"),
    )


__all__ = [
    "Difference",
    "LiveObjects",
    "differences",
    "object_differences",
    "path_text",
    "shown",
]

"""Controllers: Deployments → ReplicaSets → Pods, a scheduler with node capacity, pod lifecycle,
HPAs and Events. One thread runs a work queue (coalesced keys) and a timer heap, so thousands of
idle objects cost nothing.

Images: a pull fails when the tag is ``doesnotexist`` or starts with ``bad-``, or the registry
host ends in ``.invalid`` (override with ``SimulatorConfig.bad_image``). A container whose env
has ``SIMULATE_CRASH=1`` ends in CrashLoopBackOff with a growing restart count.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import json
import math
import queue
import random
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from kubernetes.utils import parse_quantity

from k8s.simulator.api import BY_PLURAL, ApiError
from k8s.simulator.server import Api
from k8s.simulator.store import Store, now_rfc3339

Obj = dict[str, Any]
DEP, RS, POD, HPA, EVT = (
    BY_PLURAL[p]
    for p in ("deployments", "replicasets", "pods", "horizontalpodautoscalers", "events")
)
EVENTS_PER_NAMESPACE = 1000


def default_bad_image(image: str) -> bool:
    name, _, digest = image.partition("@")
    host = name.split("/")[0] if "/" in name else ""
    tag = name.rsplit(":", 1)[1] if ":" in name.rsplit("/", 1)[-1] else ""
    return tag == "doesnotexist" or tag.startswith("bad-") or host.endswith(".invalid")


def _q(value: Any) -> float:
    try:
        return float(parse_quantity(value))
    except (ValueError, TypeError):
        return 0.0


def pod_requests(pod: Obj) -> dict[str, float]:
    out = {"cpu": 0.0, "memory": 0.0, "nvidia.com/gpu": 0.0}
    for c in (pod.get("spec") or {}).get("containers") or []:
        req = (c.get("resources") or {}).get("requests") or {}
        for k in out:
            if k in req:
                out[k] += _q(req[k])
    return out


def owner_ref(obj: Obj) -> Obj:
    return {
        "apiVersion": obj["apiVersion"],
        "kind": obj["kind"],
        "name": obj["metadata"]["name"],
        "uid": obj["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def template_hash(template: Obj) -> str:
    return hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()[:10]


class Controllers:
    def __init__(self, store: Store, api: Api, config: Any):
        self.store, self.api, self.cfg = store, api, config
        self.speed = max(config.speed, 0.001)
        self.bad_image: Callable[[str], bool] = config.bad_image or default_bad_image
        self.work: queue.Queue = queue.Queue()
        self.pending: set[tuple[str, str, str]] = set()
        self.timers: list[tuple[float, int, Callable[[], None]]] = []
        self.counter = itertools.count()
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self.loads: dict[tuple[str, str], float] = {}
        self.event_names: dict[str, deque] = {}
        self.rng = random.Random(config.seed)
        self.usage: dict[str, dict[str, float]] = {}
        store.listeners.append(self._on_change)
        self.thread = threading.Thread(target=self._run, name="sim-controllers", daemon=True)

    # -- plumbing

    def start(self) -> None:
        self.thread.start()
        self.after(self.cfg.hpa_interval_s, self._hpa_tick)

    def stop(self) -> None:
        self.stop_event.set()
        self.work.put(None)
        self.thread.join(5)

    def delay(self, seconds: float) -> float:
        return seconds / self.speed

    def after(self, seconds: float, fn: Callable[[], None]) -> None:
        with self.lock:
            heapq.heappush(
                self.timers, (time.monotonic() + self.delay(seconds), next(self.counter), fn)
            )
        self.work.put(("tick", "", ""))

    def enqueue(self, kind: str, ns: str, name: str) -> None:
        key = (kind, ns, name)
        with self.lock:
            if key in self.pending:
                return
            self.pending.add(key)
        self.work.put(key)

    def _on_change(self, etype: str, resource: str, obj: Obj, old: Obj | None) -> None:
        meta = obj["metadata"]
        ns = meta.get("namespace", "")
        if resource == "deployments" and etype != "DELETED":
            self.enqueue("deployment", ns, meta["name"])
        elif resource == "replicasets":
            if etype != "DELETED":
                self.enqueue("replicaset", ns, meta["name"])
            for ref in meta.get("ownerReferences") or []:
                if ref.get("kind") == "Deployment":
                    self.enqueue("deployment-status", ns, ref["name"])
        elif resource == "pods":
            for ref in meta.get("ownerReferences") or []:
                if ref.get("kind") == "ReplicaSet":
                    self.enqueue("replicaset", ns, ref["name"])
            node = (obj.get("spec") or {}).get("nodeName")
            if etype == "DELETED" and node:
                used = self.usage.get(node)
                if used is not None:
                    for k, v in pod_requests(obj).items():
                        used[k] = max(0.0, used[k] - v)
                self.enqueue("retry-pending", "", "")

    def _run(self) -> None:
        while not self.stop_event.is_set():
            with self.lock:
                wait = max(0.0, self.timers[0][0] - time.monotonic()) if self.timers else 1.0
            try:
                item = self.work.get(timeout=min(wait, 1.0))
            except queue.Empty:
                item = ("tick", "", "")
            if item is None:
                return
            if item[0] != "tick":
                with self.lock:
                    self.pending.discard(item)
                self._safely(lambda it=item: self._handle(*it))
            while True:
                with self.lock:
                    if not self.timers or self.timers[0][0] > time.monotonic():
                        break
                    _, _, fn = heapq.heappop(self.timers)
                self._safely(fn)

    def _safely(self, fn: Callable[[], None]) -> None:
        try:
            fn()
        except (ApiError, KeyError):
            pass  # the object changed or went away meanwhile; the next event reconciles again

    def _handle(self, kind: str, ns: str, name: str) -> None:
        if kind == "deployment":
            self._reconcile_deployment(ns, name)
        elif kind == "replicaset":
            self._reconcile_replicaset(ns, name)
        elif kind == "deployment-status":
            self._deployment_status(ns, name)
        elif kind == "retry-pending":
            self._retry_pending()

    # -- events

    def event(
        self,
        obj: Obj,
        reason: str,
        message: str,
        etype: str = "Normal",
        component: str = "deployment-controller",
    ) -> None:
        meta = obj["metadata"]
        ns = meta.get("namespace") or "default"
        stamp = now_rfc3339()
        ev = {
            "metadata": {"name": f"{meta['name']}.{secrets.token_hex(8)}", "namespace": ns},
            "involvedObject": {
                "kind": obj.get("kind"),
                "name": meta["name"],
                "namespace": ns,
                "uid": meta.get("uid"),
                "apiVersion": obj.get("apiVersion"),
            },
            "reason": reason,
            "message": message,
            "type": etype,
            "count": 1,
            "firstTimestamp": stamp,
            "lastTimestamp": stamp,
            "source": {"component": component},
            "reportingComponent": component,
        }
        try:
            self.api.create(EVT, ns, ev)
        except ApiError:
            return
        names = self.event_names.setdefault(ns, deque())
        names.append(ev["metadata"]["name"])
        while len(names) > EVENTS_PER_NAMESPACE:
            old = names.popleft()
            try:
                self.api.delete(EVT, ns, old)
            except ApiError:
                pass

    # -- deployments and replicasets

    def _owned(self, plural: str, ns: str, uid: str) -> list[Obj]:
        return self.store.dependents(uid, plural)

    def _reconcile_deployment(self, ns: str, name: str) -> None:
        dep = self.store.get("deployments", ns, name)
        if dep is None:
            return
        spec = dep["spec"]
        template = spec["template"]
        h = template_hash(template)
        rs_name = f"{name}-{h}"
        replicas = spec.get("replicas", 1)
        owned = self._owned("replicasets", ns, dep["metadata"]["uid"])
        current = next((r for r in owned if r["metadata"]["name"] == rs_name), None)
        if current is None:
            labels = {**(template.get("metadata") or {}).get("labels", {}), "pod-template-hash": h}
            rs = {
                "metadata": {
                    "name": rs_name,
                    "namespace": ns,
                    "labels": labels,
                    "ownerReferences": [owner_ref(dep)],
                    "annotations": {"deployment.kubernetes.io/revision": str(len(owned) + 1)},
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
            self.api.create(RS, ns, rs)
            self.event(
                dep, "ScalingReplicaSet", f"Scaled up replica set {rs_name} from 0 to {replicas}"
            )
        elif current["spec"].get("replicas") != replicas:
            before = current["spec"].get("replicas", 0)
            current["spec"]["replicas"] = replicas
            self.api.update(RS, ns, rs_name, current)
            verb = "up" if replicas > before else "down"
            self.event(
                dep,
                "ScalingReplicaSet",
                f"Scaled {verb} replica set {rs_name} from {before} to {replicas}",
            )
        for old in owned:
            if old["metadata"]["name"] == rs_name:
                continue
            if old["spec"].get("replicas", 0) > 0:
                before = old["spec"]["replicas"]
                old["spec"]["replicas"] = 0
                self.api.update(RS, ns, old["metadata"]["name"], old)
                self.event(
                    dep,
                    "ScalingReplicaSet",
                    f"Scaled down replica set {old['metadata']['name']} from {before} to 0",
                )
            elif not self._owned("pods", ns, old["metadata"]["uid"]):
                self.api.delete(RS, ns, old["metadata"]["name"])
        self._deployment_status(ns, name)

    def _reconcile_replicaset(self, ns: str, name: str) -> None:
        rs = self.store.get("replicasets", ns, name)
        if rs is None:
            return
        want = rs["spec"].get("replicas", 0)
        pods = self._owned("pods", ns, rs["metadata"]["uid"])
        if len(pods) < want:
            for _ in range(want - len(pods)):
                self._create_pod(rs)
            self.event(
                rs,
                "SuccessfulCreate",
                f"Created {want - len(pods)} pod(s)",
                component="replicaset-controller",
            )
        elif len(pods) > want:
            # Delete not-ready pods first, newest first among equals (as the RS controller does).
            pods.sort(key=lambda p: p["metadata"]["creationTimestamp"], reverse=True)
            pods.sort(key=self._ready)
            victims = pods[: len(pods) - want]
            for p in victims:
                self.api.delete(POD, ns, p["metadata"]["name"])
            self.event(
                rs,
                "SuccessfulDelete",
                f"Deleted {len(victims)} pod(s)",
                component="replicaset-controller",
            )
            self.enqueue("retry-pending", "", "")
        current = self._owned("pods", ns, rs["metadata"]["uid"])
        ready = sum(1 for p in current if self._ready(p))
        status = {
            "replicas": len(current),
            "readyReplicas": ready,
            "availableReplicas": ready,
            "fullyLabeledReplicas": len(current),
            "observedGeneration": 1,
        }
        if rs.get("status") != status:
            rs["status"] = status
            self.api.update(RS, ns, name, rs, "status")
        for ref in rs["metadata"].get("ownerReferences") or []:
            self.enqueue("deployment-status", ns, ref["name"])
        if want == 0 and not self._owned("pods", ns, rs["metadata"]["uid"]):
            for ref in rs["metadata"].get("ownerReferences") or []:
                self.enqueue("deployment", ns, ref["name"])

    @staticmethod
    def _ready(pod: Obj) -> bool:
        return any(
            c.get("type") == "Ready" and c.get("status") == "True"
            for c in (pod.get("status") or {}).get("conditions") or []
        )

    def _deployment_status(self, ns: str, name: str) -> None:
        dep = self.store.get("deployments", ns, name)
        if dep is None:
            return
        h = template_hash(dep["spec"]["template"])
        total = ready = updated = 0
        for rs in self._owned("replicasets", ns, dep["metadata"]["uid"]):
            pods = self._owned("pods", ns, rs["metadata"]["uid"])
            total += len(pods)
            r = sum(1 for p in pods if self._ready(p))
            ready += r
            if rs["metadata"]["name"].endswith(h):
                updated += len(pods)
        want = dep["spec"].get("replicas", 1)
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
                "NewReplicaSetAvailable"
                if updated == total and ready == want
                else "ReplicaSetUpdated",
                f'ReplicaSet "{name}-{h}" is progressing.',
            ),
        ):
            value = "True" if ok else "False"
            prev = old_conditions.get(ctype)
            changed = not prev or prev.get("status") != value or prev.get("reason") != reason
            conditions.append(
                {
                    "type": ctype,
                    "status": value,
                    "reason": reason,
                    "message": msg,
                    "lastUpdateTime": stamp if changed else prev.get("lastUpdateTime", stamp),
                    "lastTransitionTime": stamp
                    if changed
                    else prev.get("lastTransitionTime", stamp),
                }
            )
        status["conditions"] = conditions
        if dep.get("status") != status:
            dep["status"] = status
            self.api.update(DEP, ns, name, dep, "status")

    # -- pods

    def _create_pod(self, rs: Obj) -> None:
        ns = rs["metadata"]["namespace"]
        tmpl = rs["spec"]["template"]
        name = f"{rs['metadata']['name']}-" + "".join(
            self.rng.choices("bcdfghjklmnpqrstvwxz2456789", k=5)
        )
        pod = {
            "metadata": {
                "name": name,
                "namespace": ns,
                "labels": dict(tmpl["metadata"].get("labels", {})),
                "annotations": dict(tmpl["metadata"].get("annotations", {}) or {}),
                "ownerReferences": [owner_ref(rs)],
            },
            "spec": {
                **tmpl.get("spec", {}),
                "restartPolicy": "Always",
                "schedulerName": "default-scheduler",
            },
            "status": {"phase": "Pending", "qosClass": "Burstable"},
        }
        created = self.api.create(POD, ns, pod)
        self.after(
            self.cfg.pod_schedule_delay_s, lambda: self._schedule(ns, created["metadata"]["name"])
        )

    def _set_pod_status(self, pod: Obj, status: Obj) -> None:
        pod["status"] = status
        self.api.update(POD, pod["metadata"]["namespace"], pod["metadata"]["name"], pod, "status")

    def _node_usage(self) -> dict[str, dict[str, float]]:
        return self.usage

    def _schedule(self, ns: str, name: str) -> None:
        pod = self.store.get("pods", ns, name)
        if pod is None or pod["spec"].get("nodeName"):
            return
        need = pod_requests(pod)
        selector = pod["spec"].get("nodeSelector") or {}
        usage = self._node_usage()
        nodes = sorted(self.store.iter_raw("nodes"), key=lambda n: n["metadata"]["name"])
        short: dict[str, int] = {}
        fits = []
        for node in nodes:
            labels = node["metadata"].get("labels") or {}
            if any(labels.get(k) != v for k, v in selector.items()):
                why = "node(s) didn't match Pod's node affinity/selector"
                short[why] = short.get(why, 0) + 1
                continue
            alloc = node["status"]["allocatable"]
            if _q(alloc.get("nvidia.com/gpu", 0)) and not need["nvidia.com/gpu"]:
                # GPU pools carry the nvidia.com/gpu NoSchedule taint; only GPU pods tolerate it.
                why = "node(s) had untolerated taint {nvidia.com/gpu: present}"
                short[why] = short.get(why, 0) + 1
                continue
            used = usage.get(node["metadata"]["name"], {})
            lacking = [
                k for k, v in need.items() if v and used.get(k, 0.0) + v > _q(alloc.get(k, 0))
            ]
            if lacking:
                for k in lacking:
                    short[f"Insufficient {k}"] = short.get(f"Insufficient {k}", 0) + 1
                continue
            load = used.get("cpu", 0.0) / max(_q(alloc.get("cpu", 1)), 0.001)
            fits.append((load, node["metadata"]["name"], node))
        chosen = min(fits, key=lambda f: (f[0], f[1]))[2] if fits else None
        status = pod["status"]
        if chosen is None:
            parts = ", ".join(f"{n} {why}" for why, n in sorted(short.items()))
            msg = f"0/{len(nodes)} nodes are available: {parts}."
            cond = {
                "type": "PodScheduled",
                "status": "False",
                "reason": "Unschedulable",
                "message": msg,
                "lastTransitionTime": now_rfc3339(),
            }
            if status.get("conditions") != [cond] or not status.get("conditions"):
                prev = (status.get("conditions") or [{}])[0]
                if prev.get("message") != msg:
                    self._set_pod_status(pod, {**status, "phase": "Pending", "conditions": [cond]})
                    self.event(pod, "FailedScheduling", msg, "Warning", "default-scheduler")
            self.after(2.0, lambda: self._schedule(ns, name))
            return
        pod["spec"]["nodeName"] = chosen["metadata"]["name"]
        self.api.update(POD, ns, name, pod)
        used = self.usage.setdefault(
            chosen["metadata"]["name"], {"cpu": 0.0, "memory": 0.0, "nvidia.com/gpu": 0.0}
        )
        for k, v in need.items():
            used[k] += v
        pod = self.store.get("pods", ns, name)
        stamp = now_rfc3339()
        self._set_pod_status(
            pod,
            {
                "phase": "Pending",
                "hostIP": f"10.128.0.{nodes.index(chosen) + 2}",
                "startTime": stamp,
                "conditions": [
                    {"type": "PodScheduled", "status": "True", "lastTransitionTime": stamp},
                    {"type": "Initialized", "status": "True", "lastTransitionTime": stamp},
                    {
                        "type": "Ready",
                        "status": "False",
                        "reason": "ContainersNotReady",
                        "lastTransitionTime": stamp,
                    },
                    {
                        "type": "ContainersReady",
                        "status": "False",
                        "reason": "ContainersNotReady",
                        "lastTransitionTime": stamp,
                    },
                ],
                "containerStatuses": [
                    self._waiting(c, "ContainerCreating", "") for c in pod["spec"]["containers"]
                ],
                "qosClass": "Burstable",
            },
        )
        self.event(
            pod,
            "Scheduled",
            f"Successfully assigned {ns}/{name} to {chosen['metadata']['name']}",
            component="default-scheduler",
        )
        self.after(self.cfg.pod_start_delay_s, lambda: self._start(ns, name))

    @staticmethod
    def _waiting(container: Obj, reason: str, message: str, restarts: int = 0) -> Obj:
        waiting = {"reason": reason}
        if message:
            waiting["message"] = message
        return {
            "name": container["name"],
            "image": container.get("image", ""),
            "imageID": "",
            "ready": False,
            "started": False,
            "restartCount": restarts,
            "state": {"waiting": waiting},
        }

    def _start(self, ns: str, name: str) -> None:
        pod = self.store.get("pods", ns, name)
        if pod is None:
            return
        containers = pod["spec"]["containers"]
        status = pod["status"]
        stamp = now_rfc3339()
        for c in containers:
            self.event(pod, "Pulling", f'Pulling image "{c["image"]}"', component="kubelet")
        bad = [c for c in containers if self.bad_image(c.get("image", ""))]
        if bad:
            img = bad[0]["image"]
            msg = (
                f'Failed to pull image "{img}": rpc error: code = NotFound desc = failed to pull and '
                f'unpack image "{img}": not found'
            )
            status["containerStatuses"] = [
                self._waiting(c, "ErrImagePull", msg) for c in containers
            ]
            self._set_pod_status(pod, status)
            self.event(pod, "Failed", msg, "Warning", "kubelet")
            self.after(1.0, lambda: self._backoff(ns, name, img))
            return
        crash = [
            c
            for c in containers
            if any(
                e.get("name") == "SIMULATE_CRASH" and e.get("value") == "1"
                for e in c.get("env") or []
            )
        ]
        for c in containers:
            self.event(
                pod, "Pulled", f'Successfully pulled image "{c["image"]}"', component="kubelet"
            )
            self.event(pod, "Started", f"Started container {c['name']}", component="kubelet")
        if crash:
            self._crash(ns, name, 0)
            return
        status["phase"] = "Running"
        status["podIP"] = (
            f"10.{self.rng.randint(0, 255)}.{self.rng.randint(0, 255)}.{self.rng.randint(2, 254)}"
        )
        for cond in status["conditions"]:
            if cond["type"] in ("Ready", "ContainersReady"):
                cond.update({"status": "True", "lastTransitionTime": stamp})
                cond.pop("reason", None)
        status["containerStatuses"] = [
            {
                "name": c["name"],
                "image": c.get("image", ""),
                "imageID": f"sha256:{template_hash({'i': c.get('image')})}",
                "ready": True,
                "started": True,
                "restartCount": 0,
                "state": {"running": {"startedAt": stamp}},
            }
            for c in containers
        ]
        self._set_pod_status(pod, status)

    def _backoff(self, ns: str, name: str, image: str) -> None:
        pod = self.store.get("pods", ns, name)
        if pod is None:
            return
        msg = f'Back-off pulling image "{image}"'
        pod["status"]["containerStatuses"] = [
            self._waiting(c, "ImagePullBackOff", msg) for c in pod["spec"]["containers"]
        ]
        self._set_pod_status(pod, pod["status"])
        self.event(pod, "BackOff", msg, "Normal", "kubelet")

    def _crash(self, ns: str, name: str, restarts: int) -> None:
        pod = self.store.get("pods", ns, name)
        if pod is None:
            return
        status = pod["status"]
        status["phase"] = "Running"
        msg = f"back-off {min(300, 10 * 2**restarts)}s restarting failed container"
        status["containerStatuses"] = [
            {
                **self._waiting(c, "CrashLoopBackOff", msg, restarts + 1),
                "lastState": {
                    "terminated": {"exitCode": 1, "reason": "Error", "finishedAt": now_rfc3339()}
                },
            }
            for c in pod["spec"]["containers"]
        ]
        self._set_pod_status(pod, status)
        self.event(pod, "BackOff", msg, "Warning", "kubelet")
        if restarts < 20:
            self.after(5.0, lambda: self._crash(ns, name, restarts + 1))

    def _retry_pending(self) -> None:
        for p in self.store.iter_raw("pods"):
            if not (p.get("spec") or {}).get("nodeName"):
                ns, name = p["metadata"]["namespace"], p["metadata"]["name"]
                self.after(0, lambda ns=ns, name=name: self._schedule(ns, name))

    # -- readiness control for tests and benchmarks

    def set_pod_ready(self, ns: str, name: str, ready: bool) -> None:
        pod = self.store.get("pods", ns, name)
        if pod is None:
            raise KeyError(name)
        stamp = now_rfc3339()
        for cond in pod["status"].get("conditions") or []:
            if cond["type"] in ("Ready", "ContainersReady"):
                cond.update({"status": "True" if ready else "False", "lastTransitionTime": stamp})
        for cs in pod["status"].get("containerStatuses") or []:
            cs["ready"] = ready
        self._set_pod_status(pod, pod["status"])

    # -- HPA

    def load_of(self, ns: str, name: str) -> float:
        if (ns, name) in self.loads:
            return self.loads[(ns, name)]
        phase = (hash((ns, name)) % 1000) / 1000 * 2 * math.pi
        return 60 + 30 * math.sin(time.time() / 600 + phase)

    def _hpa_tick(self) -> None:
        try:
            for hpa in list(self.store.iter_raw("horizontalpodautoscalers")):
                self._hpa(hpa)
        finally:
            if not self.stop_event.is_set():
                self.after(self.cfg.hpa_interval_s, self._hpa_tick)

    def _hpa(self, hpa: Obj) -> None:
        ns = hpa["metadata"]["namespace"]
        spec = hpa["spec"]
        target = spec.get("scaleTargetRef", {})
        dep = self.store.get("deployments", ns, target.get("name", ""))
        if dep is None:
            return
        current = dep["spec"].get("replicas", 0)
        if current == 0:
            return  # scaled to zero: the HPA is idle, as on a real cluster
        goal = 70
        for m in spec.get("metrics") or []:
            goal = ((m.get("resource") or {}).get("target") or {}).get("averageUtilization", goal)
        load = self.load_of(ns, dep["metadata"]["name"])
        lo, hi = spec.get("minReplicas", 1), spec["maxReplicas"]
        desired = max(lo, min(hi, math.ceil(current * load / goal)))
        status = {
            "currentReplicas": current,
            "desiredReplicas": desired,
            "currentMetrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "current": {"averageUtilization": int(load)}},
                }
            ],
            "conditions": [
                {"type": "AbleToScale", "status": "True", "reason": "ReadyForNewScale"},
                {"type": "ScalingActive", "status": "True", "reason": "ValidMetricFound"},
            ],
        }
        if desired != current:
            dep["spec"]["replicas"] = desired
            self.api.update(DEP, ns, dep["metadata"]["name"], dep)
            status["lastScaleTime"] = now_rfc3339()
            self.event(
                hpa,
                "SuccessfulRescale",
                f"New size: {desired}; reason: cpu resource "
                f"utilization (percentage of request) {'above' if desired > current else 'below'} target",
                component="horizontal-pod-autoscaler",
            )
        elif (hpa.get("status") or {}).get("lastScaleTime"):
            status["lastScaleTime"] = hpa["status"]["lastScaleTime"]
        if hpa.get("status") != status:
            fresh = self.store.get("horizontalpodautoscalers", ns, hpa["metadata"]["name"])
            if fresh is not None:
                fresh["status"] = status
                self.api.update(HPA, ns, hpa["metadata"]["name"], fresh, "status")

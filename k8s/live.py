"""Live state of managed models: list+watch of Deployments, Pods, Events, Services and HPAs
(all but Events by the managed label selector; Events carry no labels, so those about other
objects are dropped as they arrive), kept in memory as compact per-model views
(:mod:`k8s.live_model`: summaries, and of the Deployment, Service and HPA only what drift
compares).

Each kind has its own thread: a paged LIST, then a WATCH from the list's resourceVersion with
bookmarks; a closed stream resumes from the last resourceVersion seen, a 410 Gone relists (and
reports what changed meanwhile), and connection errors back off exponentially up to 5 s.
Changes are reported per model key ``(namespace, name)``, coalesced over a few milliseconds:
one report per tick names each changed model once, and a write that changes nothing the model
shows (a status timestamp, a new resourceVersion) is kept without a report.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from kubernetes import client
from kubernetes.client import ApiException
from kubernetes.watch.watch import iter_resp_lines

from k8s.live_model import (
    EventLive,
    ModelLive,
    PodLive,
    deployment_summary,
    event_live,
    pack,
    pod_live,
    store_deployment,
)
from k8s.manifests import MANAGED_SELECTOR

log = logging.getLogger("barista.live")
Key = tuple[str, str]
Obj = dict[str, Any]
KINDS = ("deployments", "pods", "events", "services", "hpas")
PACKED_KIND = {"services": "Service", "hpas": "HorizontalPodAutoscaler"}
DRIFT_SLOT = {"deployments": 0, "services": 1, "hpas": 2}  # in ModelLive.drift_parts


class LiveState:
    def __init__(
        self,
        api_client: client.ApiClient,
        *,
        namespaces: list[str] | None = None,
        label_selector: str = MANAGED_SELECTOR,
        on_change: Callable[[set[Key]], None] | None = None,
        coalesce_s: float = 0.03,
        watch_timeout_s: int = 300,
    ):
        self.api_client = api_client
        self.core = client.CoreV1Api(api_client)
        self.apps = client.AppsV1Api(api_client)
        self.autoscaling = client.AutoscalingV2Api(api_client)
        self.namespaces = namespaces
        self.selector = label_selector
        self.on_change = on_change
        self.coalesce_s = coalesce_s
        self.watch_timeout_s = watch_timeout_s
        self.models: dict[Key, ModelLive] = {}
        self.pod_owner: dict[Key, Key] = {}  # (ns, pod) -> model key
        self.lock = threading.RLock()
        self.version = 0
        self.synced_kinds: set[str] = set()
        self.last_error: str | None = None
        self.relists = 0
        self.reconnects = 0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._changed: set[Key] = set()
        self._changed_cv = threading.Condition()
        self._responses: list[Any] = []
        self._listing = threading.Lock()

    # ------------------------------------------------------------------ public

    @property
    def synced(self) -> bool:
        return set(KINDS) <= self.synced_kinds

    def start(self) -> None:
        for kind in KINDS:
            t = threading.Thread(target=self._run, args=(kind,), name=f"live-{kind}", daemon=True)
            t.start()
            self._threads.append(t)
        t = threading.Thread(target=self._notifier, name="live-notify", daemon=True)
        t.start()
        self._threads.append(t)

    def stop(self) -> None:
        self._stop.set()
        for resp in list(self._responses):
            try:
                resp.close()
            except Exception:
                pass
        with self._changed_cv:
            self._changed_cv.notify_all()

    def snapshot(self, key: Key) -> ModelLive | None:
        with self.lock:
            return self.models.get(key)

    def all(self) -> dict[Key, ModelLive]:
        with self.lock:
            return dict(self.models)

    def wait_until(self, predicate: Callable[[LiveState], bool], timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self):
                return True
            time.sleep(0.01)
        raise TimeoutError(
            f"live state condition not met within {timeout}s (last error: {self.last_error})"
        )

    # ------------------------------------------------------------------ notification

    def _mark(self, keys: set[Key]) -> None:
        if not keys:
            return
        with self._changed_cv:
            self._changed |= keys
            self.version += 1
            self._changed_cv.notify()

    def _notifier(self) -> None:
        while not self._stop.is_set():
            with self._changed_cv:
                while not self._changed and not self._stop.is_set():
                    self._changed_cv.wait(0.5)
                if self._stop.is_set():
                    return
            time.sleep(self.coalesce_s)  # gather a burst into one notification
            with self._changed_cv:
                keys, self._changed = self._changed, set()
            if self.on_change and keys:
                try:
                    self.on_change(keys)
                except Exception:
                    log.exception("live change listener failed")

    # ------------------------------------------------------------------ list + watch

    def _list_fn(self, kind: str) -> Callable[..., Any]:
        if kind == "deployments":
            return self.apps.list_deployment_for_all_namespaces
        if kind == "pods":
            return self.core.list_pod_for_all_namespaces
        if kind == "services":
            return self.core.list_service_for_all_namespaces
        if kind == "hpas":
            return self.autoscaling.list_horizontal_pod_autoscaler_for_all_namespaces
        return self.core.list_event_for_all_namespaces

    def _list(self, kind: str) -> tuple[list[Any], str]:
        """A paged LIST, each page turned into what is kept before the next is read (the
        parsed JSON of 30,000 pods at once would cost about a gigabyte at its peak)."""
        fn = self._list_fn(kind)
        items: list[Any] = []
        token = None
        while True:
            kwargs: Obj = {"limit": 500, "_preload_content": False}
            if kind != "events":
                kwargs["label_selector"] = self.selector
            if token:
                kwargs["_continue"] = token
            data = json.loads(fn(**kwargs).data)
            if kind == "events":
                found = (event_live(o) for o in data.get("items") or [])
                items = [*items, *(e for e in found if e is not None)][-2000:]
            else:
                items.extend(self._parse(kind, o) for o in data.get("items") or [])
            token = (data.get("metadata") or {}).get("continue")
            if not token:
                return items, data["metadata"]["resourceVersion"]

    def _run(self, kind: str) -> None:
        backoff = 0.2
        rv: str | None = None
        while not self._stop.is_set():
            try:
                if rv is None:
                    with self._listing:  # one kind at a time: one page's peak, not five
                        items, rv = self._list(kind)
                    self._replace_all(kind, items)
                    self.synced_kinds.add(kind)
                rv = self._watch(kind, rv)
                backoff = 0.2
            except ApiException as exc:
                if exc.status == 410:
                    self.relists += 1
                    rv = None  # too old: list again
                    continue
                self.last_error = f"{kind}: {exc.status} {exc.reason}"
                self._sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            except Exception as exc:  # connection dropped, server restarting
                if self._stop.is_set():
                    return
                self.reconnects += 1
                self.last_error = f"{kind}: {type(exc).__name__}: {exc}"
                self._sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    def _sleep(self, seconds: float) -> None:
        self._stop.wait(seconds)

    def _watch(self, kind: str, rv: str) -> str:
        """Stream one watch; returns the last resourceVersion seen (raises ApiException 410)."""
        kwargs: Obj = {
            "watch": True,
            "resource_version": rv,
            "allow_watch_bookmarks": True,
            "timeout_seconds": self.watch_timeout_s,
            "_preload_content": False,
        }
        if kind != "events":
            kwargs["label_selector"] = self.selector
        resp = self._list_fn(kind)(**kwargs)
        self._responses.append(resp)
        try:
            for line in iter_resp_lines(resp):
                if self._stop.is_set():
                    break
                event = json.loads(line)
                etype, obj = event.get("type"), event.get("object") or {}
                if etype == "ERROR":
                    raise ApiException(status=obj.get("code"), reason=obj.get("message"))
                if etype != "BOOKMARK":
                    self._apply(kind, etype, obj)
                rv = (obj.get("metadata") or {}).get("resourceVersion") or rv
        finally:
            if resp in self._responses:
                self._responses.remove(resp)
            resp.release_conn()
        return rv

    # ------------------------------------------------------------------ state updates

    def _replace_all(self, kind: str, items: list[Any]) -> None:
        """A (re)list (as :meth:`_list` keeps it): the listed objects replace what was kept;
        only models whose kept view changed are reported."""
        changed = set()
        with self.lock:
            if kind == "events":
                changed = {k for k in (self._event(*e) for e in items) if k}
            else:
                seen = set()
                for key, part, value in items:
                    seen.add((key, part))
                    if self._store(kind, key, part, value):
                        changed.add(key)
                for key, part in self._kept(kind) - seen:
                    if self._store(kind, key, part, None):
                        changed.add(key)
        self._mark(changed)

    def _apply(self, kind: str, etype: str, obj: Obj) -> None:
        """One watch event; parsing and packing happen outside the lock."""
        if kind == "events":
            event = event_live(obj)
            if event is None:
                return
            with self.lock:
                key = self._event(*event)
            if key:
                self._mark({key})
            return
        key, part, value = self._parse(kind, obj)
        if etype == "DELETED":
            value = None
        with self.lock:
            changed = self._store(kind, key, part, value)
        if changed:
            self._mark({key})

    def _parse(self, kind: str, obj: Obj) -> tuple[Key, str, Any]:
        """(model key, which part of the model, what is kept of ``obj``)."""
        meta = obj["metadata"]
        model = (meta.get("labels") or {}).get("model")
        if kind == "pods":
            return (meta["namespace"], model or ""), meta["name"], pod_live(obj)
        key = (meta["namespace"], model or meta["name"])
        if kind == "deployments":
            return key, "", (deployment_summary(obj), pack("Deployment", obj))
        return key, "", pack(PACKED_KIND[kind], obj)

    def _kept(self, kind: str) -> set[tuple[Key, str]]:
        """What is kept of ``kind`` now, as (model key, part) pairs (caller holds the lock)."""
        if kind == "pods":
            return {(k, pod) for k, m in self.models.items() for pod in m.pod_map}
        if kind == "deployments":
            return {(k, "") for k, m in self.models.items() if m.deployment_exists}
        slot = DRIFT_SLOT[kind]
        return {(k, "") for k, m in self.models.items() if m.drift_parts[slot] is not None}

    def _store(self, kind: str, key: Key, part: str, value: Any) -> bool:
        """Keep ``value`` (None: gone) for ``key``; whether what the model shows changed."""
        if kind == "pods":
            if not key[1]:
                return False
            return self._store_pod(key, part, value)
        model = self.models.get(key)
        if model is None:
            if value is None:
                return False
            model = self.models[key] = ModelLive()
        if kind == "deployments":
            return store_deployment(model, value)
        slot = DRIFT_SLOT[kind]
        if model.drift_parts[slot] == value:
            return False
        parts = list(model.drift_parts)
        parts[slot] = value
        model.drift_parts = (parts[0], parts[1], parts[2])
        return True

    def _store_pod(self, key: Key, name: str, pod: PodLive | None) -> bool:
        model = self.models.get(key)
        if pod is None:
            self.pod_owner.pop((key[0], name), None)
            return model is not None and model.pod_map.pop(name, None) is not None
        if model is None:
            model = self.models[key] = ModelLive()
        self.pod_owner[(key[0], name)] = key
        if model.pod_map.get(name) == pod:
            return False
        model.pod_map[name] = pod
        return True

    def _event(self, ns: str, name: str, kind: str, event: EventLive) -> Key | None:
        """File an event under its model (caller holds the lock); None: not a model's."""
        if kind == "Pod":
            # the pod may not have arrived on its own watch yet: its name carries the model's
            key = self.pod_owner.get((ns, name))
            if key is None and name.count("-") >= 2 and (ns, name.rsplit("-", 2)[0]) in self.models:
                key = (ns, name.rsplit("-", 2)[0])
        elif kind in ("Deployment", "HorizontalPodAutoscaler"):
            key = (ns, name) if (ns, name) in self.models else None
        elif kind == "ReplicaSet":
            base = name.rsplit("-", 1)[0]
            key = (ns, base) if (ns, base) in self.models else None
        else:
            key = None
        if key is None:
            return None
        self.models[key].events.append(event)
        return key


__all__ = ["EventLive", "LiveState", "ModelLive", "PodLive", "pod_live"]

"""Live state of managed models: list+watch of Deployments, Pods, Events, Services and HPAs,
kept in memory (the Deployment, Service and HPA whole, for drift).

Each kind has its own thread: a paged LIST, then a WATCH from the list's resourceVersion with
bookmarks; a closed stream resumes from the last resourceVersion seen, a 410 Gone relists (and
reports what changed meanwhile), and connection errors back off exponentially up to 5 s.
Changes are reported per model key ``(namespace, name)``, coalesced over a few milliseconds.
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

from k8s.live_model import EventLive, ModelLive, PodLive, pod_live
from k8s.manifests import CONFIG_HASH, MANAGED_SELECTOR

log = logging.getLogger("barista.live")
Key = tuple[str, str]
Obj = dict[str, Any]
KINDS = ("deployments", "pods", "events", "services", "hpas")
OBJECT_FIELD = {"services": "service_obj", "hpas": "hpa_obj"}  # kept whole, for drift


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

    def _list(self, kind: str) -> tuple[list[Obj], str]:
        fn = self._list_fn(kind)
        items: list[Obj] = []
        token = None
        while True:
            kwargs: Obj = {"limit": 500, "_preload_content": False}
            if kind != "events":
                kwargs["label_selector"] = self.selector
            if token:
                kwargs["_continue"] = token
            resp = fn(**kwargs)
            data = json.loads(resp.data)
            items.extend(data.get("items") or [])
            token = (data.get("metadata") or {}).get("continue")
            if not token:
                return items, data["metadata"]["resourceVersion"]

    def _run(self, kind: str) -> None:
        backoff = 0.2
        rv: str | None = None
        while not self._stop.is_set():
            try:
                if rv is None:
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

    def _replace_all(self, kind: str, items: list[Obj]) -> None:
        changed: set[Key] = set()
        with self.lock:
            if kind == "deployments":
                seen = set()
                for obj in items:
                    key = self._deployment(obj)
                    seen.add(key)
                    changed.add(key)
                for key, model in self.models.items():
                    if key not in seen and model.deployment_exists:
                        model.deployment_exists = False
                        changed.add(key)
            elif kind in OBJECT_FIELD:
                changed |= self._replace_objects(kind, items)
            elif kind == "pods":
                for model in self.models.values():
                    if model.pod_map:
                        model.pod_map = {}
                self.pod_owner.clear()
                for obj in items:
                    pod_key = self._pod("ADDED", obj)
                    if pod_key:
                        changed.add(pod_key)
                changed |= set(self.models)
            else:
                for obj in items[-2000:]:
                    event_key = self._event(obj)
                    if event_key:
                        changed.add(event_key)
        self._mark(changed)

    def _apply(self, kind: str, etype: str, obj: Obj) -> None:
        key: Key | None
        with self.lock:
            if kind == "deployments":
                key = self._deployment(obj, deleted=etype == "DELETED")
            elif kind in OBJECT_FIELD:
                key = self._object(kind, obj, deleted=etype == "DELETED")
            elif kind == "pods":
                key = self._pod(etype, obj)
            else:
                key = self._event(obj)
        if key:
            self._mark({key})

    def _model(self, key: Key) -> ModelLive:
        model = self.models.get(key)
        if model is None:
            model = self.models[key] = ModelLive()
        return model

    def _deployment(self, obj: Obj, deleted: bool = False) -> Key:
        meta = obj["metadata"]
        labels = meta.get("labels") or {}
        key = (meta["namespace"], labels.get("model") or meta["name"])
        model = self._model(key)
        model.deployment_obj = None if deleted else obj
        if deleted:
            model.deployment_exists = False
            model.desired = model.ready = model.available = model.updated = model.replicas = 0
            return key
        spec, status = obj.get("spec") or {}, obj.get("status") or {}
        model.deployment_exists = True
        model.desired = spec.get("replicas", 0)
        model.ready = status.get("readyReplicas", 0)
        model.available = status.get("availableReplicas", 0)
        model.updated = status.get("updatedReplicas", 0)
        model.replicas = status.get("replicas", 0)
        model.generation = meta.get("generation", 0)
        model.observed_generation = status.get("observedGeneration", 0)
        model.annotations = dict(meta.get("annotations") or {})
        model.config_hash = model.annotations.get(CONFIG_HASH)
        model.resource_version = meta.get("resourceVersion")
        containers = ((spec.get("template") or {}).get("spec") or {}).get("containers") or []
        model.image = containers[0].get("image") if containers else None
        return key

    def _object(self, kind: str, obj: Obj, deleted: bool = False) -> Key:
        """A model's Service or HPA, kept whole for drift."""
        meta = obj["metadata"]
        key = (meta["namespace"], (meta.get("labels") or {}).get("model") or meta["name"])
        setattr(self._model(key), OBJECT_FIELD[kind], None if deleted else obj)
        return key

    def _replace_objects(self, kind: str, items: list[Obj]) -> set[Key]:
        seen = {self._object(kind, obj) for obj in items}
        gone = {
            k for k, m in self.models.items() if k not in seen and getattr(m, OBJECT_FIELD[kind])
        }
        for key in gone:
            setattr(self.models[key], OBJECT_FIELD[kind], None)
        return seen | gone

    def _pod(self, etype: str, obj: Obj) -> Key | None:
        meta = obj["metadata"]
        model_name = (meta.get("labels") or {}).get("model")
        if not model_name:
            return None
        key = (meta["namespace"], model_name)
        pod_key = (meta["namespace"], meta["name"])
        model = self._model(key)
        if etype == "DELETED":
            model.pod_map.pop(meta["name"], None)
            self.pod_owner.pop(pod_key, None)
        else:
            model.pod_map[meta["name"]] = pod_live(obj)
            self.pod_owner[pod_key] = key
        return key

    def _event(self, obj: Obj) -> Key | None:
        inv = obj.get("involvedObject") or {}
        ns, name, kind = inv.get("namespace"), inv.get("name"), inv.get("kind")
        if not ns or not name:
            return None
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
        self._model(key).events.append(
            EventLive(
                type=obj.get("type") or "Normal",
                reason=obj.get("reason") or "",
                message=obj.get("message") or "",
                count=obj.get("count") or 1,
                last_timestamp=obj.get("lastTimestamp") or obj.get("eventTime"),
                object=f"{kind}/{name}",
            )
        )
        return key


__all__ = ["EventLive", "LiveState", "ModelLive", "PodLive", "pod_live"]

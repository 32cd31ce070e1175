"""The simulator's object store: one global resourceVersion, watch fan-out and event history.

Every write bumps the global resourceVersion (as etcd's revision does for a real apiserver),
records a watch event in a bounded history (so a watch can resume from a resourceVersion),
and pushes the event to the open watches whose filter matches. A watch asking for a
resourceVersion older than the kept history gets 410 Gone, as on a real server.
"""

from __future__ import annotations

import builtins  # the Store has a method named list
import copy
import queue
import threading
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Obj = dict[str, Any]
Key = tuple[str, str, str]  # (resource, namespace, name); namespace "" when cluster-scoped


def now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Gone(Exception):
    """The requested resourceVersion is older than the kept history."""

    def __init__(self, requested: int, oldest: int):
        self.requested = requested
        self.oldest = oldest
        super().__init__(f"too old resource version: {requested} ({oldest})")


@dataclass
class Watcher:
    resource: str
    namespace: str | None
    match: Callable[[Obj], bool]
    events: queue.Queue = field(default_factory=queue.Queue)
    closed: bool = False

    def close(self) -> None:
        self.closed = True
        self.events.put(None)


class Store:
    def __init__(self, history_size: int = 10_000):
        self.lock = threading.RLock()
        self.rv = 1
        self.objects: dict[Key, Obj] = {}
        self.by_resource: dict[str, dict[tuple[str, str], Obj]] = {}
        self.history: deque[tuple[int, str, str, Obj, Obj | None]] = deque(maxlen=history_size)
        self.compacted_rv = 1  # events at or below this are gone
        self.watchers: list[Watcher] = []
        self.listeners: list[Callable[[str, str, Obj, Obj | None], None]] = []
        self.children: dict[str, set[Key]] = {}  # owner uid -> dependents (garbage collection)

    # -- reading

    def get(self, resource: str, namespace: str, name: str) -> Obj | None:
        with self.lock:
            obj = self.objects.get((resource, namespace, name))
            return copy.deepcopy(obj) if obj is not None else None

    def peek(self, resource: str, namespace: str, name: str) -> Obj | None:
        """The stored object itself (callers must hold the lock and not mutate it)."""
        return self.objects.get((resource, namespace, name))

    def list(
        self,
        resource: str,
        namespace: str | None = None,
        *,
        match: Callable[[Obj], bool] | None = None,
        after: tuple[str, str] | None = None,
        limit: int = 0,
        at_rv: int | None = None,
    ) -> tuple[list[Obj], int, int]:
        """Copies of the matching objects in key order after ``after`` (at most ``limit``), as
        they were at ``at_rv`` (None: now); the resourceVersion listed and how many remain."""
        with self.lock:
            if at_rv is not None and at_rv < self.rv:
                items = self._state_at(resource, at_rv)
            else:
                items = self.by_resource.get(resource, {})
            keys = sorted(
                k
                for k in items
                if (not namespace or k[0] == namespace) and (after is None or k > after)
            )
            matched = [items[k] for k in keys if match is None or match(items[k])]
            page = matched[:limit] if limit else matched
            rv = at_rv if at_rv is not None else self.rv
            return [copy.deepcopy(o) for o in page], rv, len(matched) - len(page)

    def _state_at(self, resource: str, rv: int) -> dict[tuple[str, str], Obj]:
        """The objects of ``resource`` as they were at ``rv``: today's, with later writes undone."""
        if rv < self.compacted_rv:
            raise Gone(rv, self.compacted_rv + 1)
        items = dict(self.by_resource.get(resource, {}))
        for erv, etype, res, obj, old in reversed(self.history):
            if erv <= rv:
                break
            if res != resource:
                continue
            key = (obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
            if etype == "ADDED":
                items.pop(key, None)
            elif old is not None:
                items[key] = old
        return items

    def dependents(self, owner_uid: str, resource: str) -> builtins.list[Obj]:
        """Copies of the objects of ``resource`` whose ownerReferences name ``owner_uid``."""
        with self.lock:
            keys = [k for k in self.children.get(owner_uid, ()) if k[0] == resource]
            return [copy.deepcopy(self.objects[k]) for k in keys if k in self.objects]

    def iter_raw(self, resource: str) -> builtins.list[Obj]:
        with self.lock:
            return list(self.by_resource.get(resource, {}).values())

    # -- writing (callers validate first)

    def _bump(self) -> str:
        self.rv += 1
        return str(self.rv)

    def create(self, resource: str, obj: Obj) -> Obj:
        with self.lock:
            meta = obj["metadata"]
            ns = meta.get("namespace", "")
            key = (resource, ns, meta["name"])
            if key in self.objects:
                raise KeyError(key)
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = now_rfc3339()
            meta["resourceVersion"] = self._bump()
            stored = copy.deepcopy(obj)
            self.objects[key] = stored
            self.by_resource.setdefault(resource, {})[(ns, meta["name"])] = stored
            for ref in meta.get("ownerReferences") or []:
                self.children.setdefault(ref.get("uid", ""), set()).add(key)
            self._emit("ADDED", resource, stored, None)
            return copy.deepcopy(stored)

    def preview_create(self, obj: Obj) -> Obj:
        """The object a create would store (uid, timestamp), for a dry run: nothing changes."""
        preview = copy.deepcopy(obj)
        preview["metadata"]["uid"] = str(uuid.uuid4())
        preview["metadata"]["creationTimestamp"] = now_rfc3339()
        return preview

    def replace(self, resource: str, obj: Obj) -> Obj:
        with self.lock:
            meta = obj["metadata"]
            ns = meta.get("namespace", "")
            key = (resource, ns, meta["name"])
            old = self.objects[key]
            meta["resourceVersion"] = self._bump()
            stored = copy.deepcopy(obj)
            self.objects[key] = stored
            self.by_resource[resource][(ns, meta["name"])] = stored
            self._emit("MODIFIED", resource, stored, old)
            return copy.deepcopy(stored)

    def delete(self, resource: str, namespace: str, name: str) -> Obj:
        with self.lock:
            key = (resource, namespace, name)
            old = self.objects.pop(key)
            self.by_resource[resource].pop((namespace, name), None)
            for ref in old["metadata"].get("ownerReferences") or []:
                self.children.get(ref.get("uid", ""), set()).discard(key)
            gone = copy.deepcopy(old)
            gone["metadata"]["resourceVersion"] = self._bump()
            self._emit("DELETED", resource, gone, old)
            return gone

    def _emit(self, etype: str, resource: str, obj: Obj, old: Obj | None) -> None:
        rv = int(obj["metadata"]["resourceVersion"])
        self.history.append((rv, etype, resource, obj, old))
        if len(self.history) == self.history.maxlen:
            self.compacted_rv = max(self.compacted_rv, self.history[0][0] - 1)
        for w in self.watchers:
            if w.closed or w.resource != resource:
                continue
            ns = obj["metadata"].get("namespace", "")
            if w.namespace and ns != w.namespace:
                continue
            if w.match(obj) or (old is not None and w.match(old)):
                w.events.put((etype, obj))
        for listener in self.listeners:
            listener(etype, resource, obj, old)

    # -- watching

    def watch(
        self,
        resource: str,
        namespace: str | None,
        match: Callable[[Obj], bool],
        since: int | None,
        *,
        initial_events_end: bool = False,
    ) -> Watcher:
        """Register a watch; replays history after ``since`` or the current objects if None
        (then, with ``initial_events_end``, an ``INITIAL-END`` item at the listed version)."""
        with self.lock:
            w = Watcher(resource, namespace, match)
            if since is None:
                for (ns, _), obj in sorted(self.by_resource.get(resource, {}).items()):
                    if (not namespace or ns == namespace) and match(obj):
                        w.events.put(("ADDED", copy.deepcopy(obj)))
                if initial_events_end:
                    w.events.put(("INITIAL-END", {"metadata": {"resourceVersion": str(self.rv)}}))
            else:
                if since < self.compacted_rv:
                    raise Gone(since, self.compacted_rv + 1)
                for rv, etype, res, obj, _old in self.history:
                    if rv <= since or res != resource:
                        continue
                    if namespace and obj["metadata"].get("namespace", "") != namespace:
                        continue
                    if match(obj):
                        w.events.put((etype, obj))
            self.watchers.append(w)
            return w

    def unwatch(self, w: Watcher) -> None:
        with self.lock:
            if w in self.watchers:
                self.watchers.remove(w)

    def drop_watches(self) -> int:
        with self.lock:
            dropped = list(self.watchers)
            self.watchers.clear()
        for w in dropped:
            w.close()
        return len(dropped)

    def compact(self, keep_last: int = 0) -> None:
        with self.lock:
            while len(self.history) > keep_last:
                self.history.popleft()
            self.compacted_rv = self.history[0][0] - 1 if self.history else self.rv

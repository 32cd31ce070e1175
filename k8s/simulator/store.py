"""The simulator's object store: one global resourceVersion, watch fan-out and event history.

Every write bumps the global resourceVersion (as etcd's revision does for a real apiserver),
records a watch event in a bounded history (so a watch can resume from a resourceVersion),
and pushes the event to the open watches whose filter matches. A watch asking for a
resourceVersion older than the kept history gets 410 Gone, as on a real server.

Stored objects are immutable, as the objects of an apiserver's watch cache are: a write hands
the store a new object (the store keeps it as it is, without copying it) and nothing changes a
stored object afterwards, so history, watches and the current state share them. ``get`` and
``list`` answer copies for callers that change what they read; ``peek``, ``raw_dependents``
and ``iter_raw`` answer the stored objects themselves, to be read only.
"""

from __future__ import annotations

import bisect
import builtins  # the Store has a method named list
import json
import marshal
import queue
import random
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Obj = dict[str, Any]
Key = tuple[str, str, str]  # (resource, namespace, name); namespace "" when cluster-scoped
Entry = tuple[int, str, str, Obj, Obj | None]  # (rv, type, resource, object, previous object)


_stamp: tuple[int, str] = (0, "")


def now_rfc3339() -> str:
    """The time now, to the second (formatted once a second: every write stamps it)."""
    global _stamp
    second = int(time.time())
    if _stamp[0] != second:
        _stamp = (second, datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    return _stamp[1]


def clone(obj: Any) -> Any:
    """A deep copy of JSON-like data (dicts, lists, scalars), several times faster than
    ``copy.deepcopy``."""
    return marshal.loads(marshal.dumps(obj))


class Gone(Exception):
    """The requested resourceVersion is older than the kept history."""

    def __init__(self, requested: int, oldest: int):
        self.requested = requested
        self.oldest = oldest
        super().__init__(f"too old resource version: {requested} ({oldest})")


class WatchEvent:
    """One change as every watch of its resource receives it, encoded to JSON at most once
    however many watches stream it."""

    __slots__ = ("type", "obj", "_line")

    def __init__(self, etype: str, obj: Obj):
        self.type, self.obj = etype, obj
        self._line: bytes | None = None

    def line(self) -> bytes:
        """The event as one line of a watch stream."""
        if self._line is None:  # two streams may both encode it: same bytes, no harm
            self._line = (json.dumps({"type": self.type, "object": self.obj}) + "\n").encode()
        return self._line


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
        self.history: deque[Entry] = deque()
        self.history_size = history_size
        self.history_by_resource: dict[str, deque[Entry]] = {}
        self.compacted_rv = 1  # events at or below this are gone
        self.watchers: list[Watcher] = []
        self.listeners: list[Callable[[str, str, Obj, Obj | None], None]] = []
        self.children: dict[str, set[Key]] = {}  # owner uid -> dependents (garbage collection)
        self._sorted: dict[str, builtins.list[tuple[str, str]]] = {}  # key order, built lazily
        # uids from a generator seeded once: uuid4() reads the OS's random source every time,
        # a system call that lets other threads take the interpreter lock in a busy simulator
        self._uids = random.Random()

    # -- reading

    def get(self, resource: str, namespace: str, name: str) -> Obj | None:
        with self.lock:
            obj = self.objects.get((resource, namespace, name))
        return clone(obj) if obj is not None else None

    def peek(self, resource: str, namespace: str, name: str) -> Obj | None:
        """The stored object itself (read only)."""
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
        copy: bool = True,
    ) -> tuple[list[Obj], int, int]:
        """The matching objects in key order after ``after`` (at most ``limit``), as they were
        at ``at_rv`` (None: now); the resourceVersion listed and how many remain. ``copy=False``
        answers the stored objects themselves (read only)."""
        with self.lock:
            if at_rv is not None and at_rv < self.rv:
                items, same_keys = self._state_at(resource, at_rv)
                keys = self._keys(resource) if same_keys else sorted(items)
            else:
                items = self.by_resource.get(resource, {})
                keys = self._keys(resource)
            start = bisect.bisect_right(keys, after) if after is not None else 0
            page: builtins.list[Obj] = []
            remaining = 0
            for k in keys[start:] if start else keys:
                if namespace and k[0] != namespace:
                    continue
                obj = items[k]
                if match is None or match(obj):
                    if limit and len(page) >= limit:
                        remaining += 1
                    else:
                        page.append(obj)
            rv = at_rv if at_rv is not None else self.rv
        return ([clone(o) for o in page] if copy else page), rv, remaining

    def _keys(self, resource: str) -> builtins.list[tuple[str, str]]:
        keys = self._sorted.get(resource)
        if keys is None:
            keys = self._sorted[resource] = sorted(self.by_resource.get(resource, {}))
        return keys

    def _state_at(self, resource: str, rv: int) -> tuple[dict[tuple[str, str], Obj], bool]:
        """The objects of ``resource`` as they were at ``rv`` (today's, with later writes
        undone), and whether the same keys existed then as now."""
        if rv < self.compacted_rv:
            raise Gone(rv, self.compacted_rv + 1)
        later = self._since(resource, rv)
        if not later:
            return self.by_resource.get(resource, {}), True
        items = dict(self.by_resource.get(resource, {}))
        same_keys = True
        for _erv, etype, _res, obj, old in reversed(later):
            key = (obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
            if etype == "ADDED":
                items.pop(key, None)
                same_keys = False
            elif old is not None:
                items[key] = old
                same_keys = same_keys and etype == "MODIFIED"
        return items, same_keys

    def dependents(self, owner_uid: str, resource: str) -> builtins.list[Obj]:
        """Copies of the objects of ``resource`` whose ownerReferences name ``owner_uid``."""
        return [clone(o) for o in self.raw_dependents(owner_uid, resource)]

    def raw_dependents(self, owner_uid: str, resource: str) -> builtins.list[Obj]:
        """The stored objects (read only) of ``resource`` owned by ``owner_uid``."""
        with self.lock:
            keys = [k for k in self.children.get(owner_uid, ()) if k[0] == resource]
            return [self.objects[k] for k in keys if k in self.objects]

    def iter_raw(self, resource: str) -> builtins.list[Obj]:
        with self.lock:
            return list(self.by_resource.get(resource, {}).values())

    # -- writing (callers validate first; the store keeps the object given, without a copy)

    def new_uid(self) -> str:
        """A random (version 4) UUID."""
        return str(uuid.UUID(int=self._uids.getrandbits(128), version=4))

    def _bump(self) -> str:
        self.rv += 1
        return str(self.rv)

    def create(self, resource: str, obj: Obj) -> Obj:
        """Store ``obj`` (which the caller no longer changes) as a new object; it is answered."""
        with self.lock:
            meta = obj["metadata"]
            ns = meta.get("namespace", "")
            key = (resource, ns, meta["name"])
            if key in self.objects:
                raise KeyError(key)
            meta["uid"] = self.new_uid()
            meta["creationTimestamp"] = now_rfc3339()
            meta["resourceVersion"] = self._bump()
            self.objects[key] = obj
            self.by_resource.setdefault(resource, {})[(ns, meta["name"])] = obj
            if (keys := self._sorted.get(resource)) is not None:
                bisect.insort(keys, (ns, meta["name"]))
            for ref in meta.get("ownerReferences") or []:
                self.children.setdefault(ref.get("uid", ""), set()).add(key)
            self._emit("ADDED", resource, obj, None)
            return obj

    def preview_create(self, obj: Obj) -> Obj:
        """The object a create would store (uid, timestamp), for a dry run: nothing changes."""
        preview = clone(obj)
        preview["metadata"]["uid"] = self.new_uid()
        preview["metadata"]["creationTimestamp"] = now_rfc3339()
        return preview

    def replace(self, resource: str, obj: Obj) -> Obj:
        """Store ``obj`` (which the caller no longer changes) in place of the current object."""
        with self.lock:
            meta = obj["metadata"]
            ns = meta.get("namespace", "")
            key = (resource, ns, meta["name"])
            old = self.objects[key]
            meta["resourceVersion"] = self._bump()
            self.objects[key] = obj
            self.by_resource[resource][(ns, meta["name"])] = obj
            self._emit("MODIFIED", resource, obj, old)
            return obj

    def delete(self, resource: str, namespace: str, name: str) -> Obj:
        with self.lock:
            key = (resource, namespace, name)
            old = self.objects.pop(key)
            self.by_resource[resource].pop((namespace, name), None)
            if (keys := self._sorted.get(resource)) is not None:
                i = bisect.bisect_left(keys, (namespace, name))
                if i < len(keys) and keys[i] == (namespace, name):
                    del keys[i]
            for ref in old["metadata"].get("ownerReferences") or []:
                self.children.get(ref.get("uid", ""), set()).discard(key)
            gone = {**old, "metadata": {**old["metadata"], "resourceVersion": self._bump()}}
            self._emit("DELETED", resource, gone, old)
            return gone

    def _emit(self, etype: str, resource: str, obj: Obj, old: Obj | None) -> None:
        entry = (int(obj["metadata"]["resourceVersion"]), etype, resource, obj, old)
        self.history.append(entry)
        self.history_by_resource.setdefault(resource, deque()).append(entry)
        if len(self.history) > self.history_size:
            self._drop_oldest()
        event = None
        ns = obj["metadata"].get("namespace", "")
        for w in self.watchers:
            if w.closed or w.resource != resource or (w.namespace and ns != w.namespace):
                continue
            if w.match(obj) or (old is not None and w.match(old)):
                event = event or WatchEvent(etype, obj)
                w.events.put(event)
        for listener in self.listeners:
            listener(etype, resource, obj, old)

    def _drop_oldest(self) -> None:
        rv, _, resource, _, _ = self.history.popleft()
        self.history_by_resource[resource].popleft()
        self.compacted_rv = max(self.compacted_rv, rv)

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
                items = self.by_resource.get(resource, {})
                for key in self._keys(resource):
                    obj = items[key]
                    if (not namespace or key[0] == namespace) and match(obj):
                        w.events.put(WatchEvent("ADDED", obj))
                if initial_events_end:
                    w.events.put(("INITIAL-END", {"metadata": {"resourceVersion": str(self.rv)}}))
            else:
                if since < self.compacted_rv:
                    raise Gone(since, self.compacted_rv + 1)
                for entry in self._since(resource, since):
                    obj = entry[3]
                    if namespace and obj["metadata"].get("namespace", "") != namespace:
                        continue
                    if match(obj):
                        w.events.put(WatchEvent(entry[1], obj))
            self.watchers.append(w)
            return w

    def _since(self, resource: str, since: int) -> builtins.list[Entry]:
        """The kept events of ``resource`` after ``since``, oldest first."""
        later: builtins.list[Entry] = []
        for entry in reversed(self.history_by_resource.get(resource, ())):
            if entry[0] <= since:
                break
            later.append(entry)
        later.reverse()
        return later

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
                self._drop_oldest()
            if not self.history:
                self.compacted_rv = self.rv

"""Delete: the object, its dependents (garbage collection) and a namespace's contents."""

from __future__ import annotations

from typing import Any

from k8s.simulator.resources import RESOURCES, Resource, not_found
from k8s.simulator.store import Store

Obj = dict[str, Any]


def delete(store: Store, res: Resource, ns: str, name: str, *, dry_run: bool = False) -> Obj:
    with store.lock:
        current = store.get(res.plural, ns, name)
        if current is None:
            raise not_found(res, name)
        if dry_run:  # what would be deleted; nothing is, and no dependent either
            return current
        gone = store.delete(res.plural, ns, name)
        collect_garbage(store, gone)
        if res.plural == "namespaces":
            for r in RESOURCES.values():
                if r.namespaced:
                    for obj in list(store.iter_raw(r.plural)):
                        if obj["metadata"].get("namespace") == name:
                            store.delete(r.plural, name, obj["metadata"]["name"])
        return gone


def collect_garbage(store: Store, owner: Obj) -> None:
    """Delete dependents (ownerReferences), as the garbage collector does in background mode."""
    uid = owner["metadata"].get("uid", "")
    deps = [(p, o) for p in ("replicasets", "pods") for o in store.dependents(uid, p)]
    store.children.pop(uid, None)
    for plural, obj in deps:
        meta = obj["metadata"]
        if store.peek(plural, meta["namespace"], meta["name"]) is not None:
            collect_garbage(store, store.delete(plural, meta["namespace"], meta["name"]))

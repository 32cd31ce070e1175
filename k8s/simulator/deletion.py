"""Delete as the apiserver and its garbage collector do it: preconditions, propagation policy
(Background, Foreground, Orphan), finalizers that keep an object with a ``deletionTimestamp``
until they are removed, a namespace's contents, and deletecollection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from k8s.simulator.resources import RESOURCES, ApiError, Resource, not_found
from k8s.simulator.store import Store, clone, now_rfc3339

Obj = dict[str, Any]
POLICIES = ("Orphan", "Background", "Foreground")
FOREGROUND = "foregroundDeletion"
ORPHAN = "orphan"


@dataclass(frozen=True)
class DeleteOptions:
    policy: str = "Background"
    uid: str | None = None
    resource_version: str | None = None
    dry_run: bool = False


def delete_options(body: Any, query: dict[str, str], *, dry_run: bool) -> DeleteOptions:
    """The options of a delete, from the DeleteOptions body and the query (400 when invalid)."""
    body = body if isinstance(body, dict) else {}
    if body and body.get("kind", "DeleteOptions") != "DeleteOptions":
        raise ApiError(400, "BadRequest", f"expected a DeleteOptions body, got {body.get('kind')}")
    policy = body.get("propagationPolicy") or query.get("propagationPolicy")
    orphan = body.get("orphanDependents", query.get("orphanDependents"))
    if orphan in (True, "true"):
        if policy and policy != "Orphan":
            raise ApiError(
                422,
                "Invalid",
                "propagationPolicy: Invalid value: orphanDependents and propagationPolicy "
                "cannot both be set",
            )
        policy = "Orphan"
    if policy is not None and policy not in POLICIES:
        raise ApiError(
            422,
            "Invalid",
            f'propagationPolicy: Unsupported value: "{policy}": supported values: '
            + ", ".join(f'"{p}"' for p in POLICIES),
        )
    pre = body.get("preconditions") or {}
    return DeleteOptions(
        policy or "Background", pre.get("uid"), pre.get("resourceVersion"), dry_run
    )


def _check_preconditions(res: Resource, obj: Obj, opts: DeleteOptions) -> None:
    meta = obj["metadata"]
    for label, wanted, actual in (
        ("UID", opts.uid, meta.get("uid")),
        ("ResourceVersion", opts.resource_version, meta.get("resourceVersion")),
    ):
        if wanted is not None and wanted != actual:
            raise ApiError(
                409,
                "Conflict",
                f'Operation cannot be fulfilled on {res.qualified} "{meta["name"]}": '
                f"Precondition failed: {label} in precondition: {wanted}, {label} in object "
                f"meta: {actual}",
                name=meta["name"],
                res=res,
            )


def delete(
    store: Store, res: Resource, ns: str, name: str, opts: DeleteOptions | None = None
) -> tuple[Obj, bool]:
    """Delete (or mark for deletion) one object: (the object, whether it is gone now)."""
    opts = opts or DeleteOptions()
    with store.lock:
        current = store.peek(res.plural, ns, name)  # read only: marking it stores a copy
        if current is None:
            raise not_found(res, name)
        _check_preconditions(res, current, opts)
        if opts.dry_run:  # what would be deleted; nothing is, and no dependent either
            return current, True
        uid = current["metadata"].get("uid", "")
        if opts.policy == "Orphan":
            _orphan_dependents(store, uid)
        elif opts.policy == "Foreground" and _has_dependents(store, uid):
            current = _mark(store, res, current, add=FOREGROUND)
            _delete_dependents(store, uid)
            current = _mark(store, res, current, remove=FOREGROUND)
        meta = current["metadata"]
        if meta.get("finalizers"):  # kept, with a deletionTimestamp, until they are removed
            return (current if meta.get("deletionTimestamp") else _mark(store, res, current)), False
        return remove(store, res, ns, name), True


def remove(store: Store, res: Resource, ns: str, name: str) -> Obj:
    """Remove the object from the store; its dependents go too (background collection)."""
    gone = store.delete(res.plural, ns, name)
    collect_garbage(store, gone)
    if res.plural == "namespaces":
        for r in RESOURCES.values():
            if r.namespaced:
                for obj in list(store.iter_raw(r.plural)):
                    if obj["metadata"].get("namespace") == name:
                        store.delete(r.plural, name, obj["metadata"]["name"])
    return gone


def finalized(store: Store, res: Resource, obj: Obj) -> bool:
    """After an update: an object marked for deletion whose last finalizer went is removed."""
    meta = obj["metadata"]
    if not meta.get("deletionTimestamp") or meta.get("finalizers"):
        return False
    if store.peek(res.plural, meta.get("namespace", ""), meta["name"]) is not None:
        remove(store, res, meta.get("namespace", ""), meta["name"])
    return True


def _mark(store: Store, res: Resource, obj: Obj, *, add: str = "", remove: str = "") -> Obj:
    obj = clone(obj)
    meta = obj["metadata"]
    meta.setdefault("deletionTimestamp", now_rfc3339())
    meta.setdefault("deletionGracePeriodSeconds", 0)
    finalizers = [f for f in meta.get("finalizers") or [] if f != remove]
    if add and add not in finalizers:
        finalizers.append(add)
    if finalizers:
        meta["finalizers"] = finalizers
    else:
        meta.pop("finalizers", None)
    return store.replace(res.plural, obj)


def _has_dependents(store: Store, uid: str) -> bool:
    return any(store.raw_dependents(uid, p) for p in ("replicasets", "pods"))


def _delete_dependents(store: Store, uid: str) -> None:
    for plural in ("replicasets", "pods"):
        for dep in store.raw_dependents(uid, plural):
            m = dep["metadata"]
            res = next(r for r in RESOURCES.values() if r.plural == plural)
            if store.peek(plural, m["namespace"], m["name"]) is not None:
                delete(store, res, m["namespace"], m["name"], DeleteOptions("Foreground"))


def _orphan_dependents(store: Store, uid: str) -> None:
    """Drop the ownerReference to ``uid`` from its dependents, which then stay."""
    for plural in ("replicasets", "pods"):
        for dep in store.dependents(uid, plural):
            refs = dep["metadata"].get("ownerReferences") or []
            dep["metadata"]["ownerReferences"] = [r for r in refs if r.get("uid") != uid]
            if not dep["metadata"]["ownerReferences"]:
                dep["metadata"].pop("ownerReferences")
            store.replace(plural, dep)
    store.children.pop(uid, None)


def collect_garbage(store: Store, owner: Obj) -> None:
    """Delete dependents (ownerReferences), as the garbage collector does in background mode."""
    uid = owner["metadata"].get("uid", "")
    deps = [(p, o) for p in ("replicasets", "pods") for o in store.raw_dependents(uid, p)]
    store.children.pop(uid, None)
    for plural, obj in deps:
        meta = obj["metadata"]
        if store.peek(plural, meta["namespace"], meta["name"]) is not None:
            collect_garbage(store, store.delete(plural, meta["namespace"], meta["name"]))

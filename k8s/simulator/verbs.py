"""The write verbs of the simulator (create, update, patch, scale) independent of HTTP; the
controllers call them too. Every write records ``metadata.managedFields`` for its manager."""

from __future__ import annotations

import random
from typing import Any

from k8s.managed_fields import flatten
from k8s.simulator.deletion import DeleteOptions, delete, finalized, remove
from k8s.simulator.ownership import record_write
from k8s.simulator.patches import json_patch, merge_patch, strategic_merge_patch
from k8s.simulator.resources import (
    BY_KIND,
    BY_PLURAL,
    ApiError,
    Resource,
    already_exists,
    conflict,
    invalid,
    not_found,
)
from k8s.simulator.store import Store, clone, now_rfc3339

Obj = dict[str, Any]
CONTROLLER = "kube-controller-manager"


def _validate(res: Resource, obj: Obj) -> list[tuple[str, str]]:
    from k8s.simulator import api  # late: tests adjust api's limits at run time

    return api.validate(res, obj)


def _defaults(res: Resource, ns: str, obj: Obj) -> Obj:
    obj = clone(obj)
    obj["apiVersion"], obj["kind"] = res.api_version, res.kind
    meta = obj.setdefault("metadata", {})
    if res.namespaced:
        meta["namespace"] = ns
    meta.setdefault("labels", {})
    spec = obj.setdefault("spec", {}) if res.plural in ("deployments", "services") else {}
    if res.plural == "deployments":
        spec.setdefault("replicas", 1)
        spec.setdefault(
            "strategy",
            {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
            },
        )
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("progressDeadlineSeconds", 600)
    if res.plural == "services":
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("clusterIP", f"10.96.{random.randint(0, 255)}.{random.randint(1, 254)}")
    if res.plural == "namespaces":
        obj.setdefault("status", {"phase": "Active"})
    return obj


def _record(old: Obj | None, new: Obj, res: Resource, manager: str, sub: str = "") -> None:
    record_write(
        old, new, manager=manager, api_version=res.api_version, now=now_rfc3339(), subresource=sub
    )


class Api:
    """Request handling independent of HTTP plumbing (the controllers call it too).

    The objects the writes answer are the stored ones: read them, never change them."""

    def __init__(self, store: Store, *, on_write=None):
        self.store = store
        self.on_write = on_write

    def _get_or_404(self, res: Resource, ns: str, name: str) -> Obj:
        obj = self.store.get(res.plural, ns, name)
        if obj is None:
            raise not_found(res, name)
        return obj

    def _peek_or_404(self, res: Resource, ns: str, name: str) -> Obj:
        """The stored object (read only)."""
        obj = self.store.peek(res.plural, ns, name)
        if obj is None:
            raise not_found(res, name)
        return obj

    def _check_namespace(self, res: Resource, ns: str) -> None:
        if res.namespaced and self.store.peek("namespaces", "", ns) is None:
            raise ApiError(
                404,
                "NotFound",
                f'namespaces "{ns}" not found',
                name=ns,
                res=BY_PLURAL["namespaces"],
            )

    _prepare = staticmethod(_defaults)

    def create(
        self,
        res: Resource,
        ns: str,
        body: Obj,
        *,
        dry_run: bool = False,
        manager: str = CONTROLLER,
        apply: bool = False,
    ) -> Obj:
        """Store a new object; with ``dry_run`` validate and answer the same, store nothing."""
        self._check_namespace(res, ns)
        obj = _defaults(res, ns, body)
        meta = obj["metadata"]
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + "".join(
                random.choices("bcdfghjklmnpqrstvwxz2456789", k=5)
            )
        errs = _validate(res, obj)
        if errs:
            raise invalid(res, meta.get("name", ""), errs)
        if res.plural == "deployments":
            meta["generation"] = 1
            obj.setdefault("status", {})
        for k in ("uid", "resourceVersion", "creationTimestamp", "managedFields"):
            meta.pop(k, None)
        if apply:  # server-side apply of a new object: the manager owns what it applied
            record_write(
                None,
                obj,
                manager=manager,
                api_version=res.api_version,
                now=now_rfc3339(),
                operation="Apply",
                applied=set(flatten(body)),
            )
        else:
            _record(None, obj, res, manager)
        if dry_run:
            if self.store.peek(res.plural, meta.get("namespace", ""), meta["name"]) is not None:
                raise already_exists(res, meta["name"])
            return self.store.preview_create(obj)
        with self.store.lock:
            try:
                created = self.store.create(res.plural, obj)
            except KeyError:
                raise already_exists(res, meta["name"]) from None
            if _owner_gone(self.store, created):  # the garbage collector removes it at once
                remove(self.store, res, created["metadata"].get("namespace", ""), meta["name"])
            return created

    def update(
        self,
        res: Resource,
        ns: str,
        name: str,
        body: Obj,
        sub: str = "",
        *,
        dry_run: bool = False,
        manager: str = CONTROLLER,
    ) -> Obj:
        with self.store.lock:
            current = self._peek_or_404(res, ns, name)
            if sub == "scale":
                return self.update_scale(res, ns, name, body, dry_run=dry_run, manager=manager)
            obj = self._updated(res, ns, name, current, body, sub)
            if obj == current:  # a no-op update keeps the resourceVersion, as on a real server
                return current
            _record(current, obj, res, manager, sub)
            if dry_run:  # the object as it would be stored; the resourceVersion stays
                obj["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
                return obj
            stored = self.store.replace(res.plural, obj)
            finalized(self.store, res, stored)  # its last finalizer removed: it goes now
            return stored

    def _updated(self, res: Resource, ns: str, name: str, current: Obj, body: Obj, sub: str) -> Obj:
        """The object an update of ``current`` with ``body`` stores (validated, not recorded)."""
        meta = body.get("metadata") or {}
        if meta.get("resourceVersion") and meta["resourceVersion"] != current["metadata"].get(
            "resourceVersion"
        ):
            raise conflict(res, name)
        if meta.get("name") != name:
            raise ApiError(
                400,
                "BadRequest",
                "the name of the object "
                f"({meta.get('name')}) does not match the name on the URL ({name})",
            )
        if sub == "status":  # only the status changes: metadata and spec stay as stored
            status = clone(body.get("status", {}))
            return {**current, "metadata": dict(current["metadata"]), "status": status}
        obj = _defaults(res, ns, body)
        for k in ("uid", "creationTimestamp", "generation", "managedFields", "deletionTimestamp"):
            if k in current["metadata"]:
                obj["metadata"][k] = current["metadata"][k]
            else:
                obj["metadata"].pop(k, None)
        if "status" in current:
            obj["status"] = current["status"]
        errs = _validate(res, obj)
        if errs:
            raise invalid(res, name, errs)
        if res.plural == "deployments" and obj.get("spec") != current.get("spec"):
            obj["metadata"]["generation"] = current["metadata"].get("generation", 1) + 1
        if res.plural == "deployments":
            sel_old = (current.get("spec") or {}).get("selector")
            if sel_old and (obj.get("spec") or {}).get("selector") != sel_old:
                raise invalid(res, name, [("spec.selector", "Invalid value: field is immutable")])
        if current["metadata"].get("deletionTimestamp") and _adds_finalizer(current, obj):
            raise invalid(
                res,
                name,
                [
                    (
                        "metadata.finalizers",
                        "Forbidden: no new finalizers can be added if the object is being deleted",
                    )
                ],
            )
        return obj

    def patch(
        self,
        res: Resource,
        ns: str,
        name: str,
        body: Any,
        content_type: str,
        sub: str = "",
        *,
        dry_run: bool = False,
        manager: str = CONTROLLER,
    ) -> Obj:
        with self.store.lock:
            current = self._peek_or_404(res, ns, name)
            base = self.scale_of(res, current) if sub == "scale" else current
            patched = patched_body(base, body, content_type)
            rv = (
                (body.get("metadata") or {}).get("resourceVersion")
                if isinstance(body, dict)
                else None
            )
            if rv and rv != current["metadata"]["resourceVersion"]:
                raise conflict(res, name)
            patched.setdefault("metadata", {})["resourceVersion"] = current["metadata"][
                "resourceVersion"
            ]
            if sub == "scale":
                return self.update_scale(res, ns, name, patched, dry_run=dry_run, manager=manager)
            return self.update(res, ns, name, patched, sub, dry_run=dry_run, manager=manager)

    def delete(
        self, res: Resource, ns: str, name: str, opts: DeleteOptions | None = None
    ) -> tuple[Obj, bool]:
        """Delete or mark for deletion (finalizers): (the object, whether it is gone)."""
        return delete(self.store, res, ns, name, opts)

    # -- scale subresource

    @staticmethod
    def scale_of(res: Resource, dep: Obj) -> Obj:
        meta = dep["metadata"]
        selector = ((dep.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
        return {
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {
                "name": meta["name"],
                "namespace": meta.get("namespace"),
                "uid": meta.get("uid"),
                "resourceVersion": meta["resourceVersion"],
                "creationTimestamp": meta.get("creationTimestamp"),
            },
            "spec": {"replicas": (dep.get("spec") or {}).get("replicas", 0)},
            "status": {
                "replicas": (dep.get("status") or {}).get("replicas", 0),
                "selector": ",".join(f"{k}={v}" for k, v in sorted(selector.items())),
            },
        }

    def update_scale(
        self,
        res: Resource,
        ns: str,
        name: str,
        body: Obj,
        *,
        dry_run: bool = False,
        manager: str = CONTROLLER,
    ) -> Obj:
        with self.store.lock:
            dep = self._get_or_404(res, ns, name)
            rv = (body.get("metadata") or {}).get("resourceVersion")
            if rv and rv != dep["metadata"]["resourceVersion"]:
                raise conflict(res, name)
            replicas = (body.get("spec") or {}).get("replicas")
            if not isinstance(replicas, int) or replicas < 0:
                raise ApiError(
                    422,
                    "Invalid",
                    f'Scale.autoscaling "{name}" is invalid: spec.replicas: '
                    f"Invalid value: {replicas}: must be greater than or equal to 0",
                    name=name,
                    res=res,
                    causes=[
                        {
                            "reason": "FieldValueInvalid",
                            "field": "spec.replicas",
                            "message": "must be greater than or equal to 0",
                        }
                    ],
                )
            if dep["spec"].get("replicas") != replicas:
                before = self.store.peek(res.plural, ns, name)
                dep["spec"]["replicas"] = replicas
                dep["metadata"]["generation"] = dep["metadata"].get("generation", 1) + 1
                _record(before, dep, res, manager, "scale")
                if not dry_run:
                    dep = self.store.replace(res.plural, dep)
            return self.scale_of(res, dep)


def _owner_gone(store: Store, obj: Obj) -> bool:
    """Does a controller owner reference of ``obj`` name an object that no longer exists?"""
    ns = obj["metadata"].get("namespace", "")
    for ref in obj["metadata"].get("ownerReferences") or []:
        res = BY_KIND.get(ref.get("kind", ""))
        if res is None:
            continue
        owner = store.peek(res.plural, ns if res.namespaced else "", ref.get("name", ""))
        if owner is None or owner["metadata"].get("uid") != ref.get("uid"):
            return True
    return False


def _adds_finalizer(current: Obj, obj: Obj) -> bool:
    old = set(current["metadata"].get("finalizers") or [])
    return bool(set(obj["metadata"].get("finalizers") or []) - old)


def patched_body(base: Obj, body: Any, content_type: str) -> Obj:
    """``base`` with a JSON, merge or strategic merge patch applied (415 for other types)."""
    if "json-patch" in content_type:
        if not isinstance(body, list):
            raise ApiError(400, "BadRequest", "json patch must be a list of operations")
        return json_patch(base, body)
    if "strategic-merge-patch" in content_type:
        return strategic_merge_patch(base, body)
    if "merge-patch" in content_type:
        return merge_patch(base, body)
    raise ApiError(
        415,
        "UnsupportedMediaType",
        f"the body of the request was in an unknown format - accepted media "
        f"types include: application/json-patch+json, application/merge-patch+json, "
        f"application/apply-patch+yaml, application/strategic-merge-patch+json "
        f"(got {content_type})",
    )

"""Server-side apply (``PATCH`` with ``application/apply-patch+yaml``).

The applied configuration is merged into the live object (lists merged by their keys); the
manager then owns exactly the applied fields. A field another manager owns with a different
value is a conflict (409, naming each field and manager) unless ``force=true``, which takes the
field over. Fields the manager applied before and no longer applies are removed when nobody else
owns them. Applying to a missing object creates it.
"""

from __future__ import annotations

import json
from typing import Any

from k8s.managed_fields import Path, decode, flatten, path_text
from k8s.simulator.ownership import record_write
from k8s.simulator.patches import strategic_merge_patch
from k8s.simulator.resources import ApiError, Resource
from k8s.simulator.store import now_rfc3339

Obj = dict[str, Any]


def _applied_config(res: Resource, name: str, body: Any) -> Obj:
    if not isinstance(body, dict):
        raise ApiError(400, "BadRequest", "the apply patch must be an object (YAML or JSON)")
    if body.get("apiVersion") != res.api_version or body.get("kind") != res.kind:
        raise ApiError(
            400,
            "BadRequest",
            f"apiVersion and kind must be {res.api_version} {res.kind} "
            f"(got {body.get('apiVersion')!r} {body.get('kind')!r})",
        )
    meta = body.get("metadata") or {}
    if meta.get("name") not in (None, name):
        raise ApiError(
            400,
            "BadRequest",
            f"the name of the object ({meta.get('name')}) does not match the name on the URL "
            f"({name})",
        )
    return {**body, "metadata": {**meta, "name": name}}


def conflicts(live: Obj, applied: dict[Path, Any], manager: str) -> list[tuple[Path, str, str]]:
    """(field, other manager, its apiVersion) for each applied field another manager owns with
    a different value."""
    live_fields = flatten(live)
    found = []
    for entry in (live.get("metadata") or {}).get("managedFields") or []:
        if entry.get("manager") == manager and entry.get("operation") == "Apply":
            continue
        owned = decode(entry.get("fieldsV1") or {})
        for path, value in applied.items():
            if path[-1] != "." and path in owned and live_fields.get(path) != value:
                found.append((path, entry.get("manager", ""), entry.get("apiVersion", "")))
    return sorted(found)


def conflict_error(res: Resource, name: str, found: list[tuple[Path, str, str]]) -> ApiError:
    if len(found) == 1:
        path, who, version = found[0]
        text = f'Apply failed with 1 conflict: conflict with "{who}" using {version}: '
        text += path_text(path)
    else:
        text = f"Apply failed with {len(found)} conflicts: "
        text += "\n".join(f'conflict with "{w}" using {v}: {path_text(p)}' for p, w, v in found)
    causes = [
        {
            "reason": "FieldManagerConflict",
            "message": f'conflict with "{who}" using {version}',
            "field": path_text(path),
        }
        for path, who, version in found
    ]
    return ApiError(409, "Conflict", text, name=name, res=res, causes=causes)


def _remove_path(obj: Any, path: Path) -> None:
    """Remove the field at ``path`` (for a ``.`` path: the map or list item itself)."""
    if path[-1] == ".":
        path = path[:-1]
    node = obj
    for part in path[:-1]:
        node = _child(node, part)
        if node is None:
            return
    kind, _, rest = path[-1].partition(":")
    if kind == "f" and isinstance(node, dict):
        node.pop(rest, None)
    elif kind == "k" and isinstance(node, list):
        node[:] = [i for i in node if not _matches(i, json.loads(rest))]
    elif kind == "v" and isinstance(node, list):
        node[:] = [v for v in node if v != json.loads(rest)]


def _matches(item: Any, keys: dict) -> bool:
    return isinstance(item, dict) and all(item.get(k, "TCP") == v for k, v in keys.items())


def _child(node: Any, part: str) -> Any:
    kind, _, rest = part.partition(":")
    if kind == "f" and isinstance(node, dict):
        return node.get(rest)
    if kind == "k" and isinstance(node, list):
        keys = json.loads(rest)
        return next((i for i in node if _matches(i, keys)), None)
    return None


def server_side_apply(
    api: Any,
    res: Resource,
    ns: str,
    name: str,
    body: Any,
    *,
    manager: str,
    force: bool,
    dry_run: bool,
) -> tuple[Obj, int]:
    """Apply ``body`` as ``manager``: (the object, 201 when created else 200)."""
    config = _applied_config(res, name, body)
    applied = flatten(config)
    with api.store.lock:
        current = api.store.get(res.plural, ns, name)
        if current is None:
            return api.create(res, ns, config, dry_run=dry_run, manager=manager, apply=True), 201
        found = conflicts(current, applied, manager)
        if found and not force:
            raise conflict_error(res, name, found)
        merged = strategic_merge_patch(current, config)
        mine = next(
            (
                e
                for e in (current["metadata"].get("managedFields") or [])
                if e.get("manager") == manager and e.get("operation") == "Apply"
            ),
            None,
        )
        if mine is not None:
            others = set()
            for e in current["metadata"].get("managedFields") or []:
                if e is not mine:
                    others |= decode(e.get("fieldsV1") or {})
            for path in sorted(decode(mine.get("fieldsV1") or {}) - set(applied) - others):
                base = path[:-1] if path[-1] == "." else path
                if not any(o[: len(base)] == base for o in others | set(applied)):
                    _remove_path(merged, path)
        merged["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
        obj = api._updated(res, ns, name, current, merged, "")
        record_write(
            current,
            obj,
            manager=manager,
            api_version=res.api_version,
            now=now_rfc3339(),
            operation="Apply",
            applied=set(applied),
            released={p for p, _, _ in found},
        )
        if obj == current:
            return current, 200
        if dry_run:
            return obj, 200
        return api.store.replace(res.plural, obj), 200

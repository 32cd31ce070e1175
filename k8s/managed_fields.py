"""Field ownership as the apiserver records it in ``metadata.managedFields`` (FieldsV1).

A field path is a tuple of FieldsV1 keys: ``f:<field>`` for a map field, ``k:{json}`` for an item
of a list keyed by a merge key (containers by name, ports by containerPort and protocol),
``v:<json>`` for an element of a set (finalizers) and ``.`` for the map or item itself. For
example the image of container "x" in a Deployment is::

    ("f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"x"}', "f:image")

``field_path`` builds such a tuple from readable parts, ``last_setter`` says which manager owns a
field and when it last wrote (what a drift report shows), ``flatten``/``encode``/``decode`` convert
between objects, path sets and the FieldsV1 JSON a real server serves. Pure functions, no client.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]
Path = tuple[str, ...]

# lists merged by key (the apiserver's x-kubernetes-list-map-keys); the rest are atomic
KEYED_LISTS: dict[str, tuple[str, ...]] = {
    "containers": ("name",),
    "initContainers": ("name",),
    "ephemeralContainers": ("name",),
    "env": ("name",),
    "volumes": ("name",),
    "volumeMounts": ("mountPath",),
    "imagePullSecrets": ("name",),
    "conditions": ("type",),
    "ownerReferences": ("uid",),
    "hostAliases": ("ip",),
}
PORT_KEYS = {"containerPort": ("containerPort", "protocol"), "port": ("port", "protocol")}
SET_LISTS = {"finalizers"}
# maps whose own presence is owned too (FieldsV1 writes a "." entry for them)
GRANULAR_MAPS = {"labels", "annotations", "nodeSelector", "matchLabels"}
# fields the apiserver never records as owned
SYSTEM_METADATA = {
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
    "selfLink",
}


def item_key(list_name: str, item: Obj) -> str | None:
    """The ``k:{...}`` key of an item of a keyed list, or None when the list is atomic."""
    keys: tuple[str, ...] | None
    if list_name == "ports":
        keys = next((v for k, v in PORT_KEYS.items() if k in item), None)
        if keys is None:
            return None
        values = {k: item.get(k, "TCP") for k in keys}  # protocol defaults to TCP
    else:
        keys = KEYED_LISTS.get(list_name)
        if keys is None or any(k not in item for k in keys):
            return None
        values = {k: item[k] for k in keys}
    return "k:" + json.dumps(dict(sorted(values.items())), separators=(",", ":"))


def _is_keyed(name: str, items: list) -> bool:
    return bool(items) and all(isinstance(i, dict) and item_key(name, i) for i in items)


def _walk(value: Any, path: Path, name: str, out: dict[Path, Any]) -> None:
    if isinstance(value, dict):
        atomic = name == "selector" and ("matchLabels" in value or "matchExpressions" in value)
        if not value or atomic:
            out[path] = value
            return
        if name in GRANULAR_MAPS:
            out[(*path, ".")] = True
        for k, v in value.items():
            _walk(v, (*path, f"f:{k}"), k, out)
    elif isinstance(value, list) and name in SET_LISTS and value:
        for element in value:
            out[(*path, "v:" + json.dumps(element, separators=(",", ":")))] = element
    elif isinstance(value, list) and _is_keyed(name, value):
        for item in value:
            ipath = (*path, str(item_key(name, item)))
            out[(*ipath, ".")] = True
            for k, v in item.items():
                _walk(v, (*ipath, f"f:{k}"), k, out)
    else:
        out[path] = value


def flatten(obj: Obj, subresource: str = "") -> dict[Path, Any]:
    """Every owned-field path of ``obj`` with its value (``True`` for ``.`` entries).

    The main resource covers metadata and spec (and any other top-level field but status);
    ``subresource="status"`` covers status only, ``"scale"`` spec.replicas only."""
    out: dict[Path, Any] = {}
    if subresource == "scale":
        replicas = (obj.get("spec") or {}).get("replicas")
        return {("f:spec", "f:replicas"): replicas} if replicas is not None else {}
    for key, value in obj.items():
        if key in ("apiVersion", "kind"):
            continue
        if (key == "status") != (subresource == "status"):
            continue
        if key == "metadata":
            meta = {k: v for k, v in (value or {}).items() if k not in SYSTEM_METADATA}
            if meta:
                _walk(meta, ("f:metadata",), "metadata", out)
            continue
        _walk(value, (f"f:{key}",), key, out)
    return out


def encode(paths: Iterable[Path]) -> Obj:
    """The FieldsV1 JSON object of a set of paths (a leaf is ``{}``)."""
    root: Obj = {}
    for path in sorted(paths):
        node = root
        for part in path:
            node = node.setdefault(part, {})
    return root


def decode(fields: Obj, prefix: Path = ()) -> set[Path]:
    """The paths of a FieldsV1 JSON object (the leaves)."""
    out: set[Path] = set()
    for key, child in (fields or {}).items():
        path = (*prefix, key)
        if child:
            out |= decode(child, path)
        else:
            out.add(path)
    return out


def field_path(*parts: str | dict[str, Any]) -> Path:
    """A path from readable parts: strings are fields, a dict is a keyed list item.

    ``field_path("spec", "template", "spec", "containers", {"name": "x"}, "image")``"""
    out: list[str] = []
    for part in parts:
        if isinstance(part, dict):
            out.append("k:" + json.dumps(dict(sorted(part.items())), separators=(",", ":")))
        else:
            out.append(f"f:{part}")
    return tuple(out)


def path_text(path: Path) -> str:
    """A path as the apiserver writes it in conflict messages: ``.spec.containers[name="x"].image``."""
    text = ""
    for part in path:
        kind, _, rest = part.partition(":")
        if part == ".":
            continue
        if kind == "f":
            text += f".{rest}"
        elif kind == "k":
            keys = json.loads(rest)
            text += "[" + ",".join(f"{k}={json.dumps(v)}" for k, v in keys.items()) + "]"
        else:
            text += f"[={rest}]"
    return text


@dataclass(frozen=True)
class Owner:
    manager: str
    operation: str
    time: str
    subresource: str = ""
    order: int = 0  # position in managedFields


def owners(managed_fields: list[Obj] | None, path: Path) -> list[Owner]:
    """The managers that own ``path`` (or a field under it), newest write first."""
    found = []
    for index, entry in enumerate(managed_fields or []):
        paths = decode(entry.get("fieldsV1") or {})
        if any(p[: len(path)] == path for p in paths):
            found.append(
                Owner(
                    entry.get("manager", ""),
                    entry.get("operation", ""),
                    entry.get("time", ""),
                    entry.get("subresource", ""),
                    index,
                )
            )
    # newest first; within one second, the entry written later (kept later in the list)
    return sorted(found, key=lambda o: (o.time, o.order), reverse=True)


def last_setter(obj: Obj, path: Path) -> Owner | None:
    """Which manager last wrote the field at ``path`` of ``obj``, and when (None: unknown)."""
    found = owners((obj.get("metadata") or {}).get("managedFields"), path)
    return found[0] if found else None

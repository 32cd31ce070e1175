"""What a write changed, in managedFields paths, at the cost of what it changed.

``field_changes(old, new)`` gives the paths whose value ``new`` sets differently from ``old``
(or newly) and the paths ``new`` no longer has: exactly what comparing ``flatten`` of both
objects gives, but it skips the parts that are equal (a status write leaves metadata and spec
as they were; a kubelet status write changes one condition of four) instead of walking every
field of both versions on every write.

``encode``/``decode`` are ``k8s.managed_fields``' with a cache: most writes store the same
field sets again (every pod of a Deployment has the same fields), and the encoded FieldsV1
objects are shared between object versions (they are never changed, only replaced).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from k8s import managed_fields
from k8s.managed_fields import (
    GRANULAR_MAPS,
    KEYED_LISTS,
    PORT_KEYS,
    SET_LISTS,
    SYSTEM_METADATA,
    Path,
)

Obj = dict[str, Any]
_ABSENT = object()
_LISTS = {*KEYED_LISTS, "ports", *SET_LISTS}  # lists flatten may walk into; others are values
CACHE_SIZE = 4096


def field_changes(old: Obj | None, new: Obj) -> tuple[set[Path], set[Path]]:
    """(changed, removed) paths of ``new`` against ``old`` (None: everything is new)."""
    if not old:
        every: dict[Path, Any] = {}
        meta = _owned_metadata(new)
        if meta is not _ABSENT:
            _walk(meta, ("f:metadata",), "metadata", every)
        for key, value in new.items():
            if key not in ("apiVersion", "kind", "metadata"):
                _walk(value, (f"f:{key}",), key, every)
        return set(every), set()
    changed: set[Path] = set()
    removed: set[Path] = set()
    _diff(_owned_metadata(old), _owned_metadata(new), ("f:metadata",), "metadata", changed, removed)
    for key in old.keys() | new.keys():
        if key not in ("apiVersion", "kind", "metadata"):
            _diff(
                old.get(key, _ABSENT), new.get(key, _ABSENT), (f"f:{key}",), key, changed, removed
            )
    return changed, removed


def _owned_metadata(obj: Obj) -> Any:
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in SYSTEM_METADATA}
    return meta or _ABSENT


def _leaf(value: Any, name: str) -> bool:
    """Whether ``flatten`` records ``value`` as one value (or it is absent)."""
    if isinstance(value, dict):
        return False
    return not isinstance(value, list) or name not in _LISTS


def _descend(value: Any, name: str) -> bool:
    """Whether ``flatten`` walks into ``value``'s keys (a non-empty, non-atomic map)."""
    if not isinstance(value, dict) or not value:
        return False
    return not (name == "selector" and ("matchLabels" in value or "matchExpressions" in value))


def _diff(
    old: Any, new: Any, path: Path, name: str, changed: set[Path], removed: set[Path]
) -> None:
    if old is new or (old is not _ABSENT and new is not _ABSENT and old == new):
        return
    if _leaf(old, name) and _leaf(new, name):  # one value, set or unset
        (removed if new is _ABSENT else changed).add(path)
        return
    if _descend(old, name) and _descend(new, name):  # the same "." entry on both sides
        for key in old.keys() | new.keys():
            _diff(
                old.get(key, _ABSENT),
                new.get(key, _ABSENT),
                (*path, f"f:{key}"),
                key,
                changed,
                removed,
            )
        return
    if isinstance(old, list) and isinstance(new, list):
        old_items, new_items = _keyed(name, old), _keyed(name, new)
        if old_items is not None and new_items is not None:  # item by item, by merge key
            for key in old_items.keys() | new_items.keys():
                _diff_item(old_items.get(key), new_items.get(key), (*path, key), changed, removed)
            return
    _diff_walked(old, new, path, name, changed, removed)


def _diff_item(
    old: Obj | None, new: Obj | None, path: Path, changed: set[Path], removed: set[Path]
) -> None:
    """One item of a keyed list: its "." entry and its fields (as ``flatten`` walks them)."""
    if old is None or new is None:
        _diff_walked(
            [old] if old is not None else _ABSENT,
            [new] if new is not None else _ABSENT,
            path,
            "",
            changed,
            removed,
            item=True,
        )
        return
    for key in old.keys() | new.keys():
        _diff(
            old.get(key, _ABSENT), new.get(key, _ABSENT), (*path, f"f:{key}"), key, changed, removed
        )


def _diff_walked(
    old: Any,
    new: Any,
    path: Path,
    name: str,
    changed: set[Path],
    removed: set[Path],
    *,
    item: bool = False,
) -> None:
    """Compare the flattened paths of both sides (``item``: each side a one-item list whose
    item sits at ``path``)."""
    before: dict[Path, Any] = {}
    after: dict[Path, Any] = {}
    for side, out in ((old, before), (new, after)):
        if side is _ABSENT:
            continue
        if item:
            out[(*path, ".")] = True
            for k, v in side[0].items():
                _walk(v, (*path, f"f:{k}"), k, out)
        else:
            _walk(side, path, name, out)
    changed.update(p for p, v in after.items() if p not in before or before[p] != v)
    removed.update(p for p in before if p not in after)


def _walk(value: Any, path: Path, name: str, out: dict[Path, Any]) -> None:
    """``managed_fields._walk`` (the same paths and values) with remembered item keys."""
    if isinstance(value, dict):
        if not value or (
            name == "selector" and ("matchLabels" in value or "matchExpressions" in value)
        ):
            out[path] = value
            return
        if name in GRANULAR_MAPS:
            out[(*path, ".")] = True
        for k, v in value.items():
            if isinstance(v, dict | list):
                _walk(v, (*path, f"f:{k}"), k, out)
            else:
                out[(*path, f"f:{k}")] = v
        return
    if isinstance(value, list) and value and name in _LISTS:
        if name in SET_LISTS:
            managed_fields._walk(value, path, name, out)
            return
        keys = _item_keys(name, value)
        if keys is not None:  # items with the same key: the later one's fields win
            for key, item in zip(keys, value, strict=True):
                ipath = (*path, key)
                out[(*ipath, ".")] = True
                for k, v in item.items():
                    _walk(v, (*ipath, f"f:{k}"), k, out)
            return
    out[path] = value


def _item_keys(name: str, items: list) -> list[str] | None:
    """The ``k:`` keys of a keyed list's items, or None when ``flatten`` treats the list as
    one value (an item without its key)."""
    if not items or (name not in KEYED_LISTS and name != "ports"):
        return None
    keys = []
    for item in items:
        key = _item_key(name, item) if isinstance(item, dict) else None
        if key is None:
            return None
        keys.append(key)
    return keys


def _keyed(name: str, items: list) -> dict[str, Obj] | None:
    """A keyed list's items by key; None when it has none or two items share a key."""
    keys = _item_keys(name, items)
    if keys is None or len(set(keys)) != len(keys):
        return None
    return dict(zip(keys, items, strict=True))


_KEYS: dict[tuple, str | None] = {}


def _item_key(name: str, item: Obj) -> str | None:
    """``managed_fields.item_key``, remembered by the key fields' values."""
    fields: tuple[str, ...]
    if name == "ports":
        fields = next((v for k, v in PORT_KEYS.items() if k in item), ())
        values = [item.get(k, "TCP") for k in fields]
    else:
        fields, values = KEYED_LISTS[name], [item.get(k, _ABSENT) for k in KEYED_LISTS[name]]
    sig = (name, *fields, *((type(v), v) for v in values))  # 1 and True are one dict key
    try:
        return _KEYS[sig]
    except KeyError:
        pass
    except TypeError:  # an unhashable key value
        return managed_fields.item_key(name, item)
    key = managed_fields.item_key(name, item)
    if len(_KEYS) >= CACHE_SIZE:
        _KEYS.clear()
    _KEYS[sig] = key
    return key


_lock = threading.Lock()
_ENCODED: dict[frozenset[Path], Obj] = {}
_DECODED: dict[int, tuple[Obj, frozenset[Path]]] = {}


def encode(paths: Iterable[Path]) -> Obj:
    """The FieldsV1 object of ``paths`` (shared: never change it)."""
    key = frozenset(paths)
    with _lock:
        found = _ENCODED.get(key)
    if found is None:
        found = managed_fields.encode(key)
        with _lock:
            if len(_ENCODED) >= CACHE_SIZE:
                _ENCODED.clear()
            _ENCODED[key] = found
            _DECODED[id(found)] = (found, key)
    return found


def decode(fields: Obj) -> set[Path]:
    """The paths of a FieldsV1 object."""
    with _lock:
        found = _DECODED.get(id(fields))
    if found is not None and found[0] is fields:
        return set(found[1])
    paths = managed_fields.decode(fields)
    with _lock:
        if len(_DECODED) >= CACHE_SIZE:
            _DECODED.clear()
        _DECODED[id(fields)] = (fields, frozenset(paths))
    return paths

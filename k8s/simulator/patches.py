"""JSON merge patch, strategic merge patch and JSON patch, as the apiserver applies them."""

from __future__ import annotations

import copy
from typing import Any

from k8s.simulator.resources import ApiError

Obj = dict[str, Any]


MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "ports": "containerPort",
    "conditions": "type",
}


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


def strategic_merge_patch(target: Any, patch: Any, key: str = "") -> Any:
    """Strategic merge: like merge patch, but lists with a merge key are merged by that key."""
    if isinstance(patch, list) and key in MERGE_KEYS and isinstance(target, list):
        mk = MERGE_KEYS[key]
        if key == "ports" and patch and "containerPort" not in patch[0]:
            mk = "port"
        out = [copy.deepcopy(t) for t in target]
        for item in patch:
            if not isinstance(item, dict) or mk not in item:
                return copy.deepcopy(patch)
            if item.get("$patch") == "delete":
                out = [o for o in out if o.get(mk) != item[mk]]
                continue
            for i, existing in enumerate(out):
                if existing.get(mk) == item[mk]:
                    out[i] = strategic_merge_patch(existing, item)
                    break
            else:
                out.append(copy.deepcopy(item))
        return out
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    merged: Obj = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if k.startswith("$"):
            continue
        if v is None:
            merged.pop(k, None)
        else:
            merged[k] = strategic_merge_patch(merged.get(k), v, k)
    return merged


def json_patch(target: Obj, ops: list[dict]) -> Obj:
    doc = copy.deepcopy(target)
    for op in ops:
        path = [p.replace("~1", "/").replace("~0", "~") for p in op["path"].split("/")[1:]]
        parent: Any = doc
        for p in path[:-1]:
            parent = parent[int(p)] if isinstance(parent, list) else parent.setdefault(p, {})
        last = path[-1]
        kind = op["op"]
        if kind in ("add", "replace"):
            if isinstance(parent, list):
                idx = len(parent) if last == "-" else int(last)
                if kind == "add":
                    parent.insert(idx, op["value"])
                else:
                    parent[idx] = op["value"]
            else:
                if kind == "replace" and last not in parent:
                    raise ApiError(
                        422,
                        "Invalid",
                        f"replace operation does not apply: doc is missing key: {op['path']}",
                    )
                parent[last] = op["value"]
        elif kind == "remove":
            if isinstance(parent, list):
                parent.pop(int(last))
            else:
                parent.pop(last, None)
        elif kind == "test":
            cur = parent[int(last)] if isinstance(parent, list) else parent.get(last)
            if cur != op.get("value"):
                raise ApiError(422, "Invalid", f"testing value {op['path']} failed")
        else:
            raise ApiError(400, "BadRequest", f"unsupported json patch op {kind!r}")
    return doc

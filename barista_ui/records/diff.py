"""Field-level differences between two record snapshots (the revision history's diffs)."""

from __future__ import annotations

from typing import Any


def flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested record dict → {"resources.requests.cpu": "1", ...} (for diffs)."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and v and k not in ("env", "labels"):
            out.update(flatten(v, key + "."))
        elif isinstance(v, dict) and k in ("env", "labels"):
            if not v:
                out[key] = {}
            for ek, ev in v.items():
                out[f"{key}.{ek}"] = ev
        else:
            out[key] = v
    return out


def diff_records(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Field-level changes between two snapshots: [{field, old, new}] in a stable order."""
    a, b = flatten(old or {}), flatten(new or {})
    changes = []
    for key in sorted(set(a) | set(b)):
        if a.get(key, None) != b.get(key, None):
            if a.get(key) in (None, {}) and b.get(key) in (None, {}):
                continue
            changes.append({"field": key, "old": a.get(key), "new": b.get(key)})
    return changes

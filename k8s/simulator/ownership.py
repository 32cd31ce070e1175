"""``metadata.managedFields`` bookkeeping, as the apiserver's field manager does it.

An Update gives its manager the fields whose value it changed (all of them on a create) and
takes them from every other manager; an Apply gives its manager exactly the fields of its
applied configuration. Entries are per (manager, operation, subresource); an entry left with no
field is dropped.
"""

from __future__ import annotations

from typing import Any

from k8s.managed_fields import Path
from k8s.simulator.field_diff import decode, encode, field_changes
from k8s.simulator.resources import ApiError

Obj = dict[str, Any]
CONTROLLER = "kube-controller-manager"
MAX_MANAGER_LEN = 128


def manager_for(query: dict[str, str], user_agent: str, *, apply: bool = False) -> str:
    """``?fieldManager=`` or, as the apiserver does, the User-Agent up to its first slash."""
    name = query.get("fieldManager")
    if name is None:
        if apply:
            raise ApiError(400, "BadRequest", "fieldManager is required for apply requests (PATCH)")
        name = user_agent.split("/")[0][:MAX_MANAGER_LEN]
    elif len(name) > MAX_MANAGER_LEN or not name.isprintable():
        raise ApiError(
            422,
            "Invalid",
            f"fieldManager: Invalid value: {name!r}: must be at most {MAX_MANAGER_LEN} "
            "printable characters",
        )
    return name


def entries_of(obj: Obj | None) -> list[Obj]:
    """The managedFields entries of ``obj`` (shared, not copied: entries are never changed,
    only replaced)."""
    return list(((obj or {}).get("metadata") or {}).get("managedFields") or [])


def _entry(
    manager: str, operation: str, api_version: str, now: str, paths: set[Path], sub: str
) -> Obj:
    entry: Obj = {
        "manager": manager,
        "operation": operation,
        "apiVersion": api_version,
        "time": now,
        "fieldsType": "FieldsV1",
        "fieldsV1": encode(paths),
    }
    if sub:
        entry["subresource"] = sub
    return entry


def _same(entry: Obj, manager: str, operation: str, sub: str) -> bool:
    return (
        entry.get("manager") == manager
        and entry.get("operation") == operation
        and entry.get("subresource", "") == sub
    )


def record_write(
    old: Obj | None,
    new: Obj,
    *,
    manager: str,
    api_version: str,
    now: str,
    operation: str = "Update",
    subresource: str = "",
    applied: set[Path] | None = None,
    released: set[Path] = frozenset(),  # type: ignore[assignment]
) -> None:
    """Set ``new``'s managedFields after ``manager`` turned ``old`` (None: created) into ``new``.

    ``applied``: for an Apply, the paths of the applied configuration (the manager's new set);
    ``released``: paths taken from other managers on a forced apply."""
    changed, removed = field_changes(old, new)
    sub = "" if subresource == "scale" and operation == "Apply" else subresource
    entries, out, mine = entries_of(old), [], None
    for entry in entries:
        if _same(entry, manager, operation, sub):
            mine = (entry, decode(entry.get("fieldsV1") or {}))
            continue
        if not (changed or removed or released):
            out.append(entry)
            continue
        paths = decode(entry.get("fieldsV1") or {})
        kept = paths - changed - removed - released
        if kept == paths:
            out.append(entry)
        elif kept:
            out.append({**entry, "fieldsV1": encode(kept)})
    if applied is not None:
        own = set(applied) - removed
    else:
        base = mine[1] if mine else set()
        status = subresource == "status"
        own = (base | {p for p in changed if (p[0] == "f:status") == status}) - removed
    if own:
        if mine is not None and mine[1] == own and not changed:
            out.append(mine[0])  # nothing new from this manager: its time stays
        else:
            out.append(_entry(manager, operation, api_version, now, own, sub))
    new.setdefault("metadata", {})["managedFields"] = out

"""Unknown fields, as the apiserver decodes a body: dropped from what is stored, and reported
per ``fieldValidation`` (Strict: 400; Warn, the default: a ``Warning`` header; Ignore: silent).

The schema is the official client's: each model's ``attribute_map`` and ``openapi_types``.
"""

from __future__ import annotations

import functools
from typing import Any

from k8s.simulator.resources import ApiError, Resource

Obj = dict[str, Any]
MODES = ("Strict", "Warn", "Ignore")


@functools.cache
def _fields(type_name: str) -> dict[str, str] | None:
    """JSON field name → type name of a model; None when ``type_name`` is not a model."""
    from kubernetes.client import models

    cls = getattr(models, type_name, None)
    if cls is None or not hasattr(cls, "attribute_map"):
        return None
    return {cls.attribute_map[k]: t for k, t in cls.openapi_types.items()}


def _walk(value: Any, type_name: str, path: str, found: list[str]) -> None:
    if type_name.startswith("List[") and isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, type_name[5:-1], f"{path}[{i}]", found)
        return
    if type_name.startswith("Dict[") and isinstance(value, dict):
        inner = type_name[5:-1].split(",", 1)[1].strip()
        for k, v in value.items():
            _walk(v, inner, f"{path}.{k}", found)
        return
    fields = _fields(type_name)
    if fields is None or not isinstance(value, dict):
        return
    for key in list(value):
        if key.startswith("$"):  # strategic merge patch directives
            continue
        child = f"{path}.{key}" if path else key
        if key not in fields:
            found.append(child)
            del value[key]  # dropped, as decoding into the typed object does
        else:
            _walk(value[key], fields[key], child, found)


def prune_unknown(res: Resource, body: Any) -> list[str]:
    """Remove fields ``res``'s schema does not know from ``body`` (in place); their paths."""
    found: list[str] = []
    if isinstance(body, dict):
        _walk(body, res.model_name, "", found)
    return found


def field_validation(query: dict[str, str]) -> str:
    mode = query.get("fieldValidation") or "Warn"
    if mode not in MODES:
        raise ApiError(
            400,
            "BadRequest",
            f'fieldValidation: Unsupported value: "{mode}": supported values: '
            + ", ".join(f'"{m}"' for m in MODES),
        )
    return mode


def check_fields(res: Resource, body: Any, mode: str) -> list[str]:
    """Drop unknown fields from ``body``; 400 under Strict, else the warnings to send."""
    unknown = prune_unknown(res, body)
    if unknown and mode == "Strict":
        raise ApiError(
            400,
            "BadRequest",
            "strict decoding error: " + ", ".join(f'unknown field "{u}"' for u in unknown),
        )
    return [f'unknown field "{u}"' for u in unknown] if mode == "Warn" else []

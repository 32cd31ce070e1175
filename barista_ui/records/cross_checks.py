"""Checks that compare two fields (a limit with its request, autoscaling's min with its max),
run on the raw record so they report even when a sibling field is invalid: validation then
names every problem at once instead of one after another."""

from __future__ import annotations

from typing import Any

from barista_ui.records.errors import FieldError
from barista_ui.records.limits import quantity


def _get(data: Any, path: str) -> Any:
    for part in path.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _parsed(value: Any, kind: str) -> Any:
    if value is None or str(value).strip() == "":
        return None
    try:
        return quantity(value, kind=kind)
    except (ValueError, TypeError, ArithmeticError):
        return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def cross_field_errors(data: dict[str, Any]) -> list[FieldError]:
    """Every comparison between two fields that fails, where both values can be read."""
    errors = []
    for key in ("cpu", "memory"):
        req = _get(data, f"resources.requests.{key}")
        lim = _get(data, f"resources.limits.{key}")
        req_q, lim_q = _parsed(req, key), _parsed(lim, key)
        if req_q is not None and lim_q is not None and lim_q < req_q:
            errors.append(
                FieldError(
                    f"resources.limits.{key}",
                    f"{str(lim).strip()} is below requests.{key} ({str(req).strip()}); "
                    "a limit must be at least the request",
                )
            )
    low, high = _int(_get(data, "autoscaling.min")), _int(_get(data, "autoscaling.max"))
    if low is not None and high is not None and low > high:
        errors.append(FieldError("autoscaling.min", f"{low} is greater than max ({high})"))
    return errors


def merged(errors: list[FieldError], data: Any) -> list[FieldError]:
    """``errors`` plus the cross-field problems of ``data`` on fields not already named."""
    if not isinstance(data, dict):
        return errors
    named = {e.field for e in errors}
    return errors + [e for e in cross_field_errors(data) if e.field not in named]

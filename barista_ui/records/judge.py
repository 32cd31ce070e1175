"""How a stored row's values read back: the spec, or the problems that make it unreadable,
remembered by the values themselves (reading a page of the fleet again costs a dictionary
look-up per row instead of a validation; changed values are a new key, so nothing stale comes
back)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from barista_ui.records.errors import field_errors
from barista_ui.records.spec import FieldError, ModelSpec, ScheduleConfig

MEMO_SIZE = 20_000  # distinct stored specs remembered (a few KB each)
_memo: dict[str, tuple[ModelSpec | None, list[FieldError]]] = {}


def judge(data: dict[str, Any]) -> tuple[ModelSpec | None, list[FieldError]]:
    """The spec of stored values (read as stored: without the bounds and checks added since, so
    a row saved before a rule existed still lists and renders) and their problems."""
    key = json.dumps(data, sort_keys=True, default=str)
    hit = _memo.get(key)
    if hit is not None:
        return hit
    try:
        spec = ModelSpec.model_validate(data, context={"max_replicas": 10**6, "stored": True})
    except ValidationError as exc:
        found: tuple[ModelSpec | None, list[FieldError]] = (None, field_errors(exc))
    else:
        found = (spec, [] if spec.schedule is None else schedule_problems(spec.schedule))
    if len(_memo) >= MEMO_SIZE:
        _memo.clear()
    _memo[key] = found
    return found


def schedule_problems(schedule: ScheduleConfig) -> list[FieldError]:
    """A stored schedule the scheduler cannot read (its checks are not skipped on reading:
    a schedule nobody can parse is no schedule at all)."""
    try:
        ScheduleConfig.model_validate(schedule.model_dump(), context={"max_replicas": 10**6})
    except ValidationError as exc:
        return [
            FieldError(field=f"schedule.{e.field}".rstrip("."), message=e.message)
            for e in field_errors(exc)
        ]
    return []

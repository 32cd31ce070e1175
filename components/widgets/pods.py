"""A model's pods and recent events, and the plain-language hint for a pod problem (the model
panel shows them; the Cluster tab's "Needs attention" table uses the hint)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from nicegui import ui

POD_COLUMNS = ("name", "phase", "ready", "restarts", "age", "node", "reason")


class PodLike(Protocol):
    reason: str | None
    message: str | None


def explain_reason(pods: Sequence[PodLike]) -> str:
    """Plain-language hint that points at the field to fix ("" when nothing is wrong)."""
    reasons = {p.reason for p in pods if p.reason}
    if reasons & {"ImagePullBackOff", "ErrImagePull"}:
        return "The image cannot be pulled: check the image name and tag."
    if "OOMKilled" in reasons:
        return "A container ran out of memory: raise the memory limit."
    if "CrashLoopBackOff" in reasons:
        return "The container keeps crashing: check the model's logs and environment."
    if "Unschedulable" in reasons:
        msg = next((p.message for p in pods if p.reason == "Unschedulable"), "") or ""
        if "nvidia.com/gpu" in msg:
            return "No node has a free GPU of this type: lower the GPU count or pick another type."
        return "No node has room for a replica: lower the CPU/memory requests or the replicas."
    return ""


def age_text(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 120:
        return f"{int(seconds)}s"
    if seconds < 7200:
        return f"{int(seconds // 60)}m"
    return f"{int(seconds // 3600)}h"


def pod_rows(pods: Sequence[Any]) -> list[dict[str, Any]]:
    """The pod table's rows (pods of the live view: name, phase, ready, restarts, node...)."""
    return [
        {
            "name": p.name,
            "phase": p.phase,
            "ready": "yes" if p.ready else "no",
            "restarts": p.restarts,
            "age": age_text(p.age_s()),
            "node": p.node or "—",
            "reason": p.reason or "",
        }
        for p in pods
    ]


def pods_view(pods: Sequence[Any]) -> None:
    """The pod table and the hint for what is wrong with them, or "No pods"."""
    if not pods:
        ui.label("No pods").classes("text-sm text-grey-7")
        return
    cols = [{"name": k, "label": k.capitalize(), "field": k, "align": "left"} for k in POD_COLUMNS]
    ui.table(columns=cols, rows=pod_rows(pods), row_key="name").props(
        "dense flat wrap-cells"
    ).classes("w-full text-xs").mark("panel-pods")
    hint = explain_reason(pods)
    if hint:
        ui.label(hint).classes("text-xs text-negative")


def event_rows(events: Sequence[Any], now: datetime, last: int = 8) -> list[dict[str, Any]]:
    """The most recent events, newest first, one line per event (a repeated event is one line
    with its count), each with its age."""
    latest: dict[tuple[str, str, str], Any] = {}
    for ev in events:  # the watch sees each update of an event: keep its last state
        latest.pop((ev.object, ev.reason, ev.message), None)
        latest[(ev.object, ev.reason, ev.message)] = ev
    rows = []
    for ev in list(latest.values())[-last:][::-1]:
        when = _parse(ev.last_timestamp)
        rows.append(
            {
                "type": ev.type,
                "reason": ev.reason,
                "message": ev.message,
                "object": ev.object,
                "count": ev.count,
                "age": age_text((now - when).total_seconds()) if when else "—",
            }
        )
    return rows


def _parse(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def events_view(events: Sequence[Any], now: datetime | None = None) -> None:
    """The most recent events, newest first, with age and count; warnings in red."""
    rows = event_rows(events, now or datetime.now(UTC))
    if not rows:
        return
    ui.label("Recent events").classes("text-sm font-semibold mt-1")
    with ui.column().classes("gap-0 w-full").mark("panel-events"):
        for ev in rows:
            colour = "text-negative" if ev["type"] == "Warning" else "text-grey-8"
            times = f" ×{ev['count']}" if ev["count"] > 1 else ""
            ui.label(f"{ev['age']}{times} · {ev['reason']}: {ev['message']}").classes(
                f"text-xs {colour}"
            ).tooltip(ev["object"])

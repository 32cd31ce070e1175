"""A fleet row as the models table holds it: a plain dict (pure; no page, no database)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from barista_ui.cluster.status import StatusRow
from barista_ui.fleet import FleetRow
from barista_ui.records.listing import search_text
from barista_ui.records.registry import ModelRecord, UnreadableRecord
from barista_ui.records.replicas import replicas_text, step_refusal
from components.theme import HEALTH_COLOURS, SYNC_COLOURS, ago, exact, gpu_text


def row_key(namespace: str, name: str) -> str:
    """The table's row key ("namespace/name")."""
    return f"{namespace}/{name}"


def record_fields(record: ModelRecord, now: datetime, tz: str = "UTC") -> dict[str, Any]:
    """The record's columns (and the text a search looks in); times in ``tz``."""
    spec = record.spec
    res = spec.resources
    return {
        "key": row_key(spec.namespace, spec.name),
        "name": spec.name,
        "namespace": spec.namespace,
        "description": spec.description,
        "team": spec.team,
        "owner": spec.owner,
        "image": spec.image,
        "tag": spec.tag(),
        "replicas": spec.replicas,
        "replicas_text": replicas_text(spec),  # "HPA 3–7" (", now 3" once the cluster says)
        "step_block": step_refusal(spec) or "",  # why the stepper cannot act, if it cannot
        "enabled": spec.enabled,
        "resources": f"{res.requests.cpu} CPU · {res.requests.memory}",
        "gpu": gpu_text(res.gpu.count, res.gpu.type),
        "updated_ts": record.updated_at.timestamp(),
        "updated": ago(record.updated_at, now),
        "updated_exact": exact(record.updated_at, tz),
        "version": record.version,
        "search": search_text(record),  # what the server's search looked in
    }


def live_fields(record: ModelRecord, status: StatusRow | None) -> dict[str, Any]:
    """The ready·sync column and the actions' state; "Unknown" and disabled without a cluster."""
    if status is None:
        return {
            "ready": 0,
            "desired": record.spec.replicas if record.spec.enabled else 0,
            "sync": "Unknown",
            "sync_colour": SYNC_COLOURS["Unknown"],
            "sync_msg": "",
            "health": "Unknown",
            "health_colour": HEALTH_COLOURS["Unknown"],
            "health_msg": "",
            "reasons": "",
            "live": False,
        }
    return {
        "replicas_text": replicas_text(record.spec, status.desired),
        "ready": status.ready,
        "desired": status.desired,
        "sync": status.status,
        "sync_colour": SYNC_COLOURS.get(status.status, "grey-5"),
        "sync_msg": status.message,
        "health": status.health,
        "health_colour": HEALTH_COLOURS.get(status.health, "grey-5"),
        "health_msg": status.health_msg,
        "reasons": ", ".join(status.reasons),
        "live": True,
    }


def table_row(row: FleetRow, now: datetime | None = None, tz: str = "UTC") -> dict[str, Any]:
    """All columns of one model's row (without a cluster there are no live columns: the row
    carries no live fields, which keeps 2,000 rows light in the browser)."""
    now = now or datetime.now(UTC)
    live = live_fields(row.record, row.status) if row.status is not None else {}
    return {**record_fields(row.record, now, tz), **live, "sched": row.schedule}


def unreadable_row(
    record: UnreadableRecord, now: datetime | None = None, tz: str = "UTC"
) -> dict[str, Any]:
    """A stored row that no longer validates: its name with an error badge naming the problem;
    no actions (nothing acts on it until it is fixed or deleted from its panel)."""
    now = now or datetime.now(UTC)
    stored = record.stored
    return {
        "key": row_key(record.namespace, record.name),
        "name": record.name,
        "namespace": record.namespace,
        "description": "",
        "problem": record.problem,
        "team": record.team,
        "owner": str(stored.get("owner") or ""),
        "image": str(stored.get("image") or ""),
        "tag": "",
        "replicas": stored.get("replicas") or 0,
        "replicas_text": str(stored.get("replicas") or 0),
        "step_block": "",
        "enabled": bool(stored.get("enabled")),
        "resources": "",
        "gpu": "",
        "updated_ts": record.updated_at.timestamp(),
        "updated": ago(record.updated_at, now),
        "updated_exact": exact(record.updated_at, tz),
        "version": record.version,
        "ready": 0,
        "desired": 0,
        "sync": "Error",
        "sync_colour": "negative",
        "sync_msg": record.problem,
        "reasons": "",
        "live": False,
        "sched": "—",
        "search": search_text(record),
    }

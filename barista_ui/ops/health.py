"""What the health endpoints answer. ``live``: the process serves requests (nothing else is
asked, so a slow database never gets a replica restarted). ``ready``: the database answers and
its schema is at the head revision this code expects (a replica that would read an older or a
newer schema takes no traffic)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from data.db import current_revision, head_revision, ping

Answer = tuple[int, dict[str, Any]]


def liveness() -> Answer:
    return 200, {"status": "ok"}


def readiness(engine: Engine, *, stopping: bool = False) -> Answer:
    """200 when the database is reachable and migrated to head; 503 with the reason otherwise
    (and while the process shuts down, so the Service stops sending it requests)."""
    if stopping:
        return 503, {"status": "stopping"}
    try:
        ping(engine)
        schema = current_revision(engine)
    except Exception as exc:  # the point of the endpoint is to say why
        return 503, {"status": "error", "database": str(exc).splitlines()[0]}
    head = head_revision()
    if schema != head:
        return 503, {"status": "error", "database": "ok", "schema": schema, "expected": head}
    return 200, {"status": "ok", "database": "ok", "schema": schema}

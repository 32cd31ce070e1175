"""What every committed transaction tells the rest of the process (and the other replicas):
one log line per mutation with its actor and model, the scheduler and billing counters, and on
PostgreSQL a ``NOTIFY`` sent with the commit so other processes wake at once.

Installed once per process on SQLAlchemy's Session class: the services keep owning their
transactions and need not remember to log, count or notify; a rolled-back transaction says
nothing."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from barista_ui.ops import metrics
from data.cost_tables import BillingImport
from data.ops_tables import ScheduleMemory, ScheduleOverride, SchedulePolicy, SchedulerAction
from data.tables import Revision

log = logging.getLogger("barista.audit")
CHANNEL = "barista_changes"
PENDING = "barista_committed"  # Session.info key: rows flushed in this transaction
ALL = "*"  # a change without one model (a team or global schedule)
_installed = False


def install() -> None:
    """Listen on every Session (idempotent)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "after_flush", _collect)
    event.listen(Session, "before_commit", _notify)
    event.listen(Session, "after_commit", _emit)
    event.listen(Session, "after_rollback", _forget)
    _installed = True


APPENDED = (Revision, SchedulerAction, BillingImport)  # logged and counted when inserted
STATE = (ScheduleMemory, ScheduleOverride, SchedulePolicy)  # only told to the other processes


def _collect(session: Session, _ctx: Any) -> None:
    """Remember what this flush wrote (the lists still hold the pre-flush state here)."""
    rows = [o for o in session.new if isinstance(o, APPENDED + STATE)]
    rows += [o for o in session.dirty if isinstance(o, STATE)]
    if rows:
        session.info.setdefault(PENDING, []).extend(rows)


def changed_keys(rows: list[Any]) -> set[str]:
    keys = set()
    for row in rows:
        if isinstance(row, SchedulePolicy):
            keys.add(ALL)
        elif not isinstance(row, BillingImport):
            keys.add(f"{row.namespace}/{row.name}")
    return keys


def _notify(session: Session) -> None:
    """Queue a NOTIFY in this transaction (PostgreSQL delivers it at commit, or never)."""
    rows = session.info.get(PENDING)
    if not rows or session.get_bind().dialect.name != "postgresql":
        return
    payload = json.dumps(sorted(changed_keys(rows)))
    if len(payload) > 7000:  # NOTIFY payloads stop at 8000 bytes: say "everything"
        payload = json.dumps([ALL])
    session.execute(text("SELECT pg_notify(:c, :p)"), {"c": CHANNEL, "p": payload})


def _emit(session: Session) -> None:
    for row in session.info.pop(PENDING, []):
        try:
            _one(row)
        except Exception:  # a log line must never fail a committed change
            log.exception("audit line failed")


def _one(row: Any) -> None:
    if isinstance(row, Revision):
        log.info(
            "%s %s/%s by %s (%s)",
            row.action,
            row.namespace,
            row.name,
            row.actor,
            row.source,
            extra={
                "event": "mutation",
                "action": row.action,
                "actor": row.actor,
                "model": f"{row.namespace}/{row.name}",
                "source": row.source,
                "reason": row.reason,
            },
        )
    elif isinstance(row, SchedulerAction):
        metrics.TRANSITIONS.labels(row.action).inc()
        log.info(
            "scheduler %s %s/%s: %s -> %s",
            row.action,
            row.namespace,
            row.name,
            row.before,
            row.after,
            extra={
                "event": "mutation",
                "action": f"scheduler-{row.action}",
                "actor": row.actor,
                "model": f"{row.namespace}/{row.name}",
                "source": "scheduler",
                "reason": row.reason,
            },
        )
    elif isinstance(row, BillingImport):
        metrics.BILLING_ROWS.labels(row.format).inc(row.rows)
        log.info(
            "billing import %s: %d new rows by %s",
            row.filename,
            row.rows,
            row.imported_by,
            extra={"event": "mutation", "action": "billing-import", "actor": row.imported_by},
        )


def _forget(session: Session) -> None:
    session.info.pop(PENDING, None)

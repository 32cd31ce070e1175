"""What happened across the fleet: the last changes to records (revisions: who, what, when,
from where) and the scheduler's actions, newest first, filterable by team; and the models that
were deleted (restored by rolling back to their last revision). Reads only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from barista_ui.records.diff import diff_records
from barista_ui.records.record import RevisionView
from barista_ui.records.rows import revision_views
from barista_ui.records.secrets import mask_changes
from data.ops_tables import SchedulerAction
from data.tables import ModelDeployment, Revision

Key = tuple[str, str]
SCAN = 2000  # revisions read for a feed (the newest); the feed shows at most ``limit``


@dataclass(frozen=True)
class ActivityEntry:
    at: datetime
    namespace: str
    name: str
    team: str
    actor: str
    source: str  # ui cli api scheduler
    action: str  # create update toggle scale delete rollback import · scale-down scale-up ...
    summary: str
    revision: int | None  # the revision it wrote (None: a scheduler action, no record change)


@dataclass(frozen=True)
class DeletedModel:
    namespace: str
    name: str
    team: str
    deleted_at: datetime
    deleted_by: str
    source: str
    restore_to: int  # the last revision that still had settings


def _summary(rev: Revision, changes: list[dict[str, Any]]) -> str:
    if rev.action == "delete":
        return "deleted" + (f": {rev.reason}" if rev.reason else "")
    if rev.action == "create" or len(changes) > 3:
        head = f"{len(changes)} fields"
    else:
        head = ", ".join(f"{c['field']} {c['old']} → {c['new']}" for c in mask_changes(changes))
    return head + (f" ({rev.reason})" if rev.reason else "")


class ActivityFeed:
    def __init__(self, new_session: Callable[[], Session]):
        self._new_session = new_session

    def _teams(self, s: Session) -> dict[Key, str]:
        rows = s.exec(select(ModelDeployment.namespace, ModelDeployment.name, ModelDeployment.team))
        return {(ns, n): t for ns, n, t in rows.all()}

    def entries(self, team: str | None = None, limit: int = 100) -> list[ActivityEntry]:
        """The newest ``limit`` changes (of ``team``'s models), records and scheduler."""
        with self._new_session() as s:
            teams = self._teams(s)
            revs = list(s.exec(select(Revision).order_by(col(Revision.id).desc()).limit(SCAN)))
            acts = list(
                s.exec(
                    select(SchedulerAction)
                    .where(col(SchedulerAction.dry_run).is_(False))
                    .order_by(col(SchedulerAction.id).desc())
                    .limit(SCAN)
                )
            )
            previous = _previous_snapshots(s, revs)
        out = [e for r in revs if (e := _revision_entry(r, previous, teams)) is not None]
        for a in acts:
            key = (a.namespace, a.name)
            out.append(
                ActivityEntry(
                    a.at,
                    a.namespace,
                    a.name,
                    teams.get(key, ""),
                    a.actor,
                    "scheduler",
                    a.action,
                    f"{a.before} → {a.after} replicas ({a.reason})"
                    + (f": {a.error}" if a.error else ""),
                    None,
                )
            )
        if team:
            out = [e for e in out if e.team == team]
        out.sort(key=lambda e: e.at, reverse=True)
        return out[:limit]

    def revision_diff(self, namespace: str, name: str, number: int) -> RevisionView:
        """One revision with its changes against the one before (masked secrets)."""
        with self._new_session() as s:
            rows = s.exec(
                select(Revision)
                .where(Revision.namespace == namespace, Revision.name == name)
                .where(col(Revision.number) <= number)
                .order_by(col(Revision.number))
            ).all()
        views = revision_views(rows)
        if not views or views[0].number != number:
            raise LookupError(f"{namespace}/{name} has no revision {number}")
        return views[0]

    def deleted(self) -> list[DeletedModel]:
        """Models whose newest revision is a delete, newest first, with the revision a
        rollback recreates them from."""
        with self._new_session() as s:
            last = (
                select(Revision.namespace, Revision.name, func.max(Revision.number).label("n"))
                .group_by(Revision.namespace, Revision.name)
                .subquery()
            )
            rows = s.exec(
                select(Revision)
                .join(
                    last,
                    and_(
                        col(Revision.namespace) == last.c.namespace,
                        col(Revision.name) == last.c.name,
                        col(Revision.number) == last.c.n,
                    ),
                )
                .where(Revision.action == "delete")
            ).all()
            previous = _previous_snapshots(s, rows)
        out = []
        for r in rows:
            number, snap = previous.get((r.namespace, r.name, r.number), (None, None))
            if number is None:
                continue
            team = str((snap or {}).get("team") or "")
            out.append(
                DeletedModel(r.namespace, r.name, team, r.created_at, r.actor, r.source, number)
            )
        return sorted(out, key=lambda d: d.deleted_at, reverse=True)


def _previous_snapshots(
    s: Session, revs: list[Revision] | Any
) -> dict[tuple[str, str, int], tuple[int | None, dict[str, Any] | None]]:
    """For each revision, the newest earlier revision of its model that had settings."""
    keys = {(r.namespace, r.name) for r in revs}
    if not keys:
        return {}
    names = {k[1] for k in keys}
    older = s.exec(
        select(Revision).where(col(Revision.name).in_(names)).order_by(col(Revision.number))
    ).all()
    by_model: dict[Key, list[Revision]] = {}
    for r in older:
        if (r.namespace, r.name) in keys:
            by_model.setdefault((r.namespace, r.name), []).append(r)
    out: dict[tuple[str, str, int], tuple[int | None, dict[str, Any] | None]] = {}
    for key, revisions in by_model.items():
        last: tuple[int | None, dict[str, Any] | None] = (None, None)
        for r in revisions:
            out[(key[0], key[1], r.number)] = last
            if r.snapshot is not None:
                last = (r.number, r.snapshot)
    return out


def _revision_entry(
    r: Revision,
    previous: dict[tuple[str, str, int], tuple[int | None, dict[str, Any] | None]],
    teams: dict[Key, str],
) -> ActivityEntry | None:
    _, before = previous.get((r.namespace, r.name, r.number), (None, None))
    team = str((r.snapshot or before or {}).get("team") or teams.get((r.namespace, r.name), ""))
    changes = diff_records(before, r.snapshot) if r.snapshot is not None else []
    return ActivityEntry(
        r.created_at,
        r.namespace,
        r.name,
        team,
        r.actor,
        r.source,
        r.action,
        _summary(r, changes),
        r.number,
    )

"""The replica history: one segment per stretch of time a model ran a constant replica count
at a constant rate. Writes close the open segment and open the next; reads return segments or
a DataFrame of those overlapping a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import func, or_, text
from sqlmodel import Session, col, select

from barista_ui.cost.model import Segment, segments_frame
from barista_ui.cost.queries import SessionFactory, query_frame, utc_naive
from barista_ui.cost.rollups import rewind
from data.cost_tables import ReplicaSegment
from data.db import transaction

FRAME_COLUMNS = (
    'SELECT namespace, name AS model, team, start, "end", replicas, hourly_rate AS rate, '
    "scheduled_down, COALESCE(baseline_replicas, replicas) AS baseline FROM replica_segment"
)
OVERLAPS = '"end" > :start AND start < :end'


@dataclass(frozen=True)
class ReplicaChange:
    """What a model runs from ``at`` on, and why."""

    namespace: str
    name: str
    team: str
    replicas: int
    at: datetime
    reason: str
    rate: float
    scheduled_down: bool = False
    baseline: int | None = None
    gpu_type: str | None = None

    def same_as(self, seg: ReplicaSegment) -> bool:
        return (seg.replicas, round(seg.hourly_rate, 9), seg.scheduled_down) == (
            self.replicas,
            round(self.rate, 9),
            self.scheduled_down,
        )


def open_segment(s: Session, namespace: str, name: str) -> ReplicaSegment | None:
    return s.exec(
        select(ReplicaSegment).where(
            ReplicaSegment.namespace == namespace,
            ReplicaSegment.name == name,
            ReplicaSegment.end.is_(None),  # type: ignore[union-attr]
        )
    ).first()


def running_segment(
    new_session: SessionFactory, namespace: str, name: str
) -> ReplicaSegment | None:
    with new_session() as s:
        return open_segment(s, namespace, name)


def record_change(new_session: SessionFactory, change: ReplicaChange) -> bool:
    """Close the model's open segment at ``change.at`` and open a new one, if anything
    changed. Returns whether a segment was written."""
    with transaction(new_session) as s:
        rewind(s, change.at)
        open_ = open_segment(s, change.namespace, change.name)
        if open_ is not None:
            if change.same_as(open_):
                return False
            open_.end = change.at
            s.add(open_)
        s.add(
            ReplicaSegment(
                namespace=change.namespace,
                name=change.name,
                team=change.team,
                start=change.at,
                end=None,
                replicas=change.replicas,
                reason=change.reason,
                hourly_rate=change.rate,
                gpu_type=change.gpu_type,
                scheduled_down=change.scheduled_down,
                baseline_replicas=change.baseline,
            )
        )
    return True


def _segment(r: ReplicaSegment) -> Segment:
    return Segment(
        r.namespace,
        r.name,
        r.team,
        r.start,
        r.end,
        r.replicas,
        r.hourly_rate,
        r.reason,
        r.scheduled_down,
        r.baseline_replicas,
    )


def segments(new_session: SessionFactory, start: datetime, end: datetime) -> list[Segment]:
    """Segments overlapping [start, end) as plain values."""
    with new_session() as s:
        rows = s.exec(
            select(ReplicaSegment).where(
                col(ReplicaSegment.start) < end,
                or_(col(ReplicaSegment.end).is_(None), col(ReplicaSegment.end) > start),
            )
        ).all()
    return [_segment(r) for r in rows]


def has_history(new_session: SessionFactory) -> bool:
    with new_session() as s:
        return s.exec(select(ReplicaSegment.id).limit(1)).first() is not None


def has_demo_history(new_session: SessionFactory) -> bool:
    with new_session() as s:
        query = select(ReplicaSegment.id).where(ReplicaSegment.demo).limit(1)
        return s.exec(query).first() is not None


def first_start(new_session: SessionFactory) -> datetime | None:
    """When the history begins (None: no history)."""
    with new_session() as s:
        return s.exec(select(func.min(ReplicaSegment.start))).one()


def sqlite_overlap_hint(
    first: datetime | None, now: datetime, start: datetime, end: datetime
) -> str:
    """SQLite keeps no statistics, so tell it which end of the interval is selective: near
    now few segments end after ``start``; near the beginning of history few start before
    ``end``. (PostgreSQL's planner works this out from its own statistics.)"""
    if first is None or now <= first:
        return OVERLAPS
    span = (now - first).total_seconds()
    starts_before = max((end - first).total_seconds(), 0) / span
    ends_after = max((now - start).total_seconds(), 0) / span
    if starts_before < ends_after:
        return 'likelihood("end" > :start, 0.95) AND start < :end'
    return '"end" > :start AND likelihood(start < :end, 0.95)'


def segment_frame(
    new_session: SessionFactory, start: datetime, end: datetime, *, closed_filter: str = OVERLAPS
) -> pd.DataFrame:
    """Segments overlapping [start, end) straight into a DataFrame (no ORM objects: at a
    million rows that is the difference between seconds and half a minute)."""
    # two halves rather than one OR: closed segments by an index on one of their ends, open
    # ones by the (namespace, name, end) index
    query = text(
        f"{FRAME_COLUMNS} WHERE {closed_filter} "
        f'UNION ALL {FRAME_COLUMNS} WHERE "end" IS NULL AND start < :end'
    )
    df = query_frame(new_session, query, {"start": utc_naive(start), "end": utc_naive(end)})
    if df.empty:
        return segments_frame([])
    for column in ("start", "end"):
        df[column] = pd.to_datetime(df[column], utc=True, format="ISO8601")
    df["scheduled_down"] = df["scheduled_down"].astype(bool)
    return df

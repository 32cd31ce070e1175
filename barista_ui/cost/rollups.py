"""Daily roll-ups of the replica history: finished local days summed once into ``cost_daily``
and ``replica_hourly`` so reports read a few thousand rows instead of every segment.

The day arithmetic (``midnight``, ``local_day``, ``covered_days``, ``plan``) is pure; the rest
reads or writes the roll-up tables through an explicit session factory.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import delete, func, insert, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from barista_ui.cost.model import daily_costs, hourly_replicas
from barista_ui.cost.queries import SessionFactory, query_frame
from data.cost_tables import CostDaily, CostRollupState, ReplicaHourly, ReplicaSegment
from data.db import transaction

DayRange = tuple[date, date]
Edges = list[tuple[datetime, datetime]]
FrameReader = Callable[[datetime, datetime], pd.DataFrame]
INSERT_CHUNK = 20_000


def midnight(tz: str, day: date) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(tz))


def local_day(tz: str, t: datetime) -> date:
    return t.astimezone(ZoneInfo(tz)).date()


def covered_days(through: date | None, tz: str, start: datetime, end: datetime) -> DayRange | None:
    """The whole local days [first, last) of [start, end) that the roll-up covers, or None."""
    if through is None:
        return None
    first = local_day(tz, start)
    if midnight(tz, first) < start:
        first += timedelta(days=1)
    last = min(local_day(tz, end), through)
    return (first, last) if first < last else None


def plan(
    through: date | None, tz: str, start: datetime, end: datetime, now: datetime
) -> tuple[DayRange | None, Edges]:
    """Which whole days of [start, end) come from the roll-ups, and which stretches (today, a
    mid-day start) must be computed from raw segments."""
    split = covered_days(through, tz, start, end)
    edges = [(start, end)]
    if split is not None:
        edges = [(start, midnight(tz, split[0])), (midnight(tz, split[1]), end)]
    return split, [(lo, hi) for lo, hi in edges if lo < hi and lo < now]


def rewind(s: Session, at: datetime) -> None:
    """A write dated inside rolled-up days (a late observation, a clock step) makes those
    days stale: drop their roll-ups, they are recomputed on the next read."""
    stale = (at.astimezone(UTC) - timedelta(days=1)).date()  # safe in any timezone
    states = s.exec(select(CostRollupState).where(CostRollupState.through > stale)).all()
    if not states:
        return
    s.execute(delete(CostDaily).where(col(CostDaily.day) >= stale))
    s.execute(delete(ReplicaHourly).where(col(ReplicaHourly.day) >= stale))
    for st in states:
        st.through = stale
        s.add(st)


def invalidate_rollups(new_session: SessionFactory) -> None:
    with transaction(new_session) as s:
        s.execute(delete(CostDaily))
        s.execute(delete(ReplicaHourly))
        s.execute(delete(CostRollupState))


def rolled_through(new_session: SessionFactory, tz: str) -> date | None:
    with new_session() as s:
        st = s.get(CostRollupState, tz)
        return st.through if st else None


def first_rolled(new_session: SessionFactory, tz: str) -> date | None:
    """The first rolled-up day (None: none yet)."""
    with new_session() as s:
        first = s.exec(select(func.min(CostDaily.day)).where(CostDaily.tz == tz)).one()
    return None if first is None else pd.Timestamp(first).date()


def _first_day_to_roll(new_session: SessionFactory, tz: str) -> date | None:
    through = rolled_through(new_session, tz)
    if through is not None:
        return through
    with new_session() as s:
        first = s.exec(select(func.min(ReplicaSegment.start))).one()
    return None if first is None else local_day(tz, first)


def refresh_rollups(
    new_session: SessionFactory, tz: str, now: datetime, read_frame: FrameReader
) -> int:
    """Roll up every complete local day before ``now`` not rolled up yet; returns the days
    added. Cheap when up to date (one primary-key read), so readers call it first."""
    today = local_day(tz, now)
    through = _first_day_to_roll(new_session, tz)
    if through is None or through >= today:
        return 0
    lo, hi = midnight(tz, through), midnight(tz, today)
    frame = read_frame(lo, hi)
    daily = daily_costs(frame, lo, hi, hi, tz)
    hourly = hourly_replicas(frame, lo, hi, hi, tz)
    if not _store_rollups(new_session, tz, through, today, daily, hourly):
        return 0
    return (today - through).days


def _store_rollups(
    new_session: SessionFactory,
    tz: str,
    through: date,
    today: date,
    daily: pd.DataFrame,
    hourly: pd.DataFrame,
) -> bool:
    """Insert the roll-ups of [through, today) unless another process got there first: the
    loser's insert fails on the primary key and it keeps the winner's rows."""
    try:
        with transaction(new_session) as s:
            st = s.get(CostRollupState, tz)
            if st is not None and st.through != through:
                return False
            for table, df in ((CostDaily, daily), (ReplicaHourly, hourly)):
                if not df.empty:
                    rows = df.assign(tz=tz).to_dict("records")
                    for i in range(0, len(rows), INSERT_CHUNK):
                        s.execute(insert(table), rows[i : i + INSERT_CHUNK])
            st = st or CostRollupState(tz=tz, through=today)
            st.through = today
            s.add(st)
    except IntegrityError:
        return False
    return True


def rolled_rows(
    new_session: SessionFactory, table: Any, columns: list[str], tz: str, days: DayRange
) -> pd.DataFrame:
    """The stored roll-up rows of ``table`` for the local days [first, last)."""
    cols = ", ".join(f'"{c}"' for c in columns)
    query = text(
        f"SELECT {cols} FROM {table.__tablename__} WHERE tz = :tz AND day >= :first AND day < :last"
    )
    df = query_frame(new_session, query, {"tz": tz, "first": days[0], "last": days[1]})
    df["day"] = pd.to_datetime(df["day"]).dt.date
    return df

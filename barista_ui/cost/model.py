"""Cost of replica history: pure functions of segments, a period, ``now`` and a timezone.

Cost of a model over a period = sum over its segments of replicas x hours inside the period x
the hourly rate in force. Days are cut at local midnight in the given timezone (so a
spring-forward day has 23 hours). Saved by scale-to-zero = what the model would have cost with
the count it ran before each scheduled scale-down, minus what it did cost, for the segments the
scheduler held it down; manual and override periods are not savings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

NS_PER_HOUR = 3_600_000_000_000


@dataclass(frozen=True)
class Segment:
    namespace: str
    name: str
    team: str
    start: datetime
    end: datetime | None  # None: still running, cut at ``now``
    replicas: int
    hourly_rate: float
    reason: str = "watch"
    scheduled_down: bool = False
    baseline_replicas: int | None = None


COLUMNS = [
    "day",
    "namespace",
    "model",
    "team",
    "hours",
    "replica_hours",
    "cost_usd",
    "would_have_usd",
    "saved_usd",
]


def segments_frame(segments: list[Segment]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "namespace": [s.namespace for s in segments],
            "model": [s.name for s in segments],
            "team": [s.team for s in segments],
            "start": [s.start for s in segments],
            "end": [s.end for s in segments],
            "replicas": [s.replicas for s in segments],
            "rate": [s.hourly_rate for s in segments],
            "scheduled_down": [s.scheduled_down for s in segments],
            "baseline": [
                s.baseline_replicas if s.baseline_replicas is not None else s.replicas
                for s in segments
            ],
        }
    )


def _pieces(
    frame: pd.DataFrame, start: datetime, end: datetime, now: datetime, bounds: np.ndarray
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray] | None:
    """Cut every segment at the ``bounds`` (UTC ns, ascending) inside [start, min(end, now)).

    Returns the kept segments, the segment index of each piece, its bin and its hours.
    """
    p0 = pd.Timestamp(start).as_unit("ns").value
    p1 = pd.Timestamp(min(end, now)).as_unit("ns").value
    s = pd.to_datetime(frame["start"], utc=True).dt.as_unit("ns").astype("int64").to_numpy()
    e_raw = pd.to_datetime(frame["end"], utc=True).dt.as_unit("ns")
    e = e_raw.fillna(pd.Timestamp(now).as_unit("ns")).astype("int64").to_numpy()
    s, e = np.maximum(s, p0), np.minimum(e, p1)
    keep = e > s
    f = frame.loc[keep].reset_index(drop=True)
    s, e = s[keep], e[keep]
    if f.empty:
        return None
    i_s = np.searchsorted(bounds, s, side="right") - 1
    i_e = np.searchsorted(bounds, e - 1, side="right") - 1
    pieces = i_e - i_s + 1
    idx = np.repeat(np.arange(len(f)), pieces)
    offset = np.arange(len(idx)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    bin_i = i_s[idx] + offset
    ps = np.maximum(s[idx], bounds[bin_i])
    pe = np.minimum(e[idx], bounds[bin_i + 1])
    return f, idx, bin_i, (pe - ps) / NS_PER_HOUR


def _bounds(start: datetime, end: datetime, tz: str, freq: str) -> pd.DatetimeIndex:
    first = pd.Timestamp(start).tz_convert(tz).normalize()
    last = pd.Timestamp(end).tz_convert(tz).normalize() + pd.Timedelta(days=1)
    if freq == "D":
        return pd.date_range(first, last, freq="D", tz=tz)
    # hours: real (UTC) hours, labelled with the local wall-clock hour they start at
    return pd.date_range(first.tz_convert("UTC"), last.tz_convert("UTC"), freq="h", tz="UTC")


def daily_costs(
    frame: pd.DataFrame, start: datetime, end: datetime, now: datetime, tz: str = "UTC"
) -> pd.DataFrame:
    """One row per model and local day inside [start, end): hours, cost, would-have, saved."""
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    bounds = _bounds(start, end, tz, "D")
    cut = _pieces(frame, start, end, now, bounds.tz_convert("UTC").as_unit("ns").asi8)
    if cut is None:
        return pd.DataFrame(columns=COLUMNS)
    f, idx, day_i, hours = cut
    reps = f["replicas"].to_numpy()[idx]
    rate = f["rate"].to_numpy()[idx]
    down = f["scheduled_down"].to_numpy()[idx]
    base = f["baseline"].to_numpy()[idx]
    cost = hours * reps * rate
    would = np.where(down, hours * base * rate, cost)
    out = pd.DataFrame(
        {
            "day": bounds[day_i].date,
            "namespace": f["namespace"].to_numpy()[idx],
            "model": f["model"].to_numpy()[idx],
            "team": f["team"].to_numpy()[idx],
            "hours": hours,
            "replica_hours": hours * reps,
            "cost_usd": cost,
            "would_have_usd": would,
            "saved_usd": would - cost,
        }
    )
    return out.groupby(["day", "namespace", "model", "team"], as_index=False).sum(numeric_only=True)


HOURLY_COLUMNS = ["day", "hour", "team", "hours", "replica_hours"]


def hourly_replicas(
    frame: pd.DataFrame, start: datetime, end: datetime, now: datetime, tz: str = "UTC"
) -> pd.DataFrame:
    """Replica-hours per team and local (day, hour): the heatmap's raw material.

    ``hours`` is how much of that hour was observed, so averages stay right on partial hours.
    """
    if frame.empty:
        return pd.DataFrame(columns=HOURLY_COLUMNS)
    bounds = _bounds(start, end, tz, "h")
    cut = _pieces(frame, start, end, now, bounds.as_unit("ns").asi8)
    if cut is None:
        return pd.DataFrame(columns=HOURLY_COLUMNS)
    f, idx, hour_i, hours = cut
    local = bounds[hour_i].tz_convert(tz)
    out = pd.DataFrame(
        {
            "day": local.date,
            "hour": local.hour,
            "team": f["team"].to_numpy()[idx],
            "replica_hours": hours * f["replicas"].to_numpy()[idx],
        }
    )
    g = out.groupby(["day", "hour", "team"], as_index=False)["replica_hours"].sum()
    # observed time of each bin: its overlap with [first observation, min(end, now)); a DST
    # fall-back repeats a local hour, so two bins add up under one label
    edges = bounds.as_unit("ns").asi8
    w0 = max(
        pd.Timestamp(start).as_unit("ns").value,
        pd.to_datetime(f["start"], utc=True).min().as_unit("ns").value,
    )
    w1 = pd.Timestamp(min(end, now)).as_unit("ns").value
    used = np.unique(hour_i)
    observed = np.clip(np.minimum(edges[used + 1], w1) - np.maximum(edges[used], w0), 0, None)
    bins = bounds[used].tz_convert(tz)
    span = pd.DataFrame({"day": bins.date, "hour": bins.hour, "hours": observed / NS_PER_HOUR})
    g = g.merge(span.groupby(["day", "hour"], as_index=False)["hours"].sum(), on=["day", "hour"])
    return g[HOURLY_COLUMNS]


def weekday_hour_grid(hourly: pd.DataFrame) -> pd.DataFrame:
    """Average running replicas by weekday (rows, Monday first) and local hour (columns)."""
    grid = pd.DataFrame(0.0, index=range(7), columns=range(24))
    if hourly.empty:
        return grid
    h = hourly.copy()
    h["weekday"] = pd.to_datetime(h["day"]).dt.day_of_week
    reps = h.groupby(["weekday", "hour"])["replica_hours"].sum()
    # how many of each (weekday, hour) slots were observed: distinct days with that hour
    slots = h.drop_duplicates(["day", "hour"]).groupby(["weekday", "hour"])["hours"].sum()
    avg = (reps / slots.reindex(reps.index)).fillna(0.0)
    return avg.unstack(fill_value=0.0).reindex(index=grid.index, columns=grid.columns).fillna(0.0)


GROUPS = {
    "model": ["namespace", "model", "team"],
    "team": ["team"],
    "namespace": ["namespace"],
    "day": ["day"],
}


def group_costs(daily: pd.DataFrame, by: str) -> pd.DataFrame:
    """Totals by ``model`` (namespace + model), ``team``, ``namespace`` or ``day``."""
    keys = GROUPS[by]
    if daily.empty:
        return pd.DataFrame(columns=[*keys, "cost_usd", "saved_usd"])
    g = daily.groupby(keys, as_index=False)[["cost_usd", "saved_usd", "replica_hours"]].sum()
    return g.sort_values(keys).reset_index(drop=True)

"""One consistent read of the cost history at a fixed ``now``: whole days from the roll-ups
(summed by the database), the raw stretches around them (today, a mid-day start or end) read
from segments once and shared by every sum asked of the scope.

A drawing of the Cost tab asks for cost per day and team, per model, month to date and the
hourly heatmap over the same period: with a scope the raw stretches are read and cut once,
not once per question.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pandas as pd

from barista_ui.cost import reports, rollups
from barista_ui.cost.model import COLUMNS, HOURLY_COLUMNS, daily_costs, hourly_replicas
from barista_ui.cost.queries import SessionFactory
from barista_ui.cost.rollups import DayRange, Edges
from data.cost_tables import CostDaily, ReplicaHourly

FrameReader = Callable[[datetime, datetime], pd.DataFrame]
Edge = tuple[datetime, datetime]


class CostScope:
    """Sums over periods at ``now``, the roll-ups read as rolled ``through`` (a local day)."""

    def __init__(
        self,
        new_session: SessionFactory,
        tz: str,
        now: datetime,
        through: date | None,
        read_frame: FrameReader,
        *,
        sqlite: bool = False,
    ):
        self.new_session = new_session
        self.tz = tz
        self.now = now
        self.through = through
        self._read_frame = read_frame
        self._sqlite = sqlite
        self._first_rolled: date | None = None
        self._frames: dict[Edge, pd.DataFrame] = {}
        self._daily: dict[Edge, pd.DataFrame] = {}
        self._hourly: dict[Edge, pd.DataFrame] = {}

    def plan(self, start: datetime, end: datetime) -> tuple[DayRange | None, Edges]:
        """The whole days of [start, end) read from the roll-ups and the raw stretches, each
        cut at ``now`` (nothing after it has happened, so the same stretch is shared by a
        period ending at midnight and one ending now)."""
        split, edges = rollups.plan(self.through, self.tz, start, end, self.now)
        return split, [(lo, min(hi, self.now)) for lo, hi in edges]

    def frame(self, lo: datetime, hi: datetime) -> pd.DataFrame:
        """The segments overlapping one raw stretch (read once)."""
        if (lo, hi) not in self._frames:
            self._frames[(lo, hi)] = self._read_frame(lo, hi)
        return self._frames[(lo, hi)]

    def _edge_daily(self, lo: datetime, hi: datetime) -> pd.DataFrame:
        if (lo, hi) not in self._daily:
            self._daily[(lo, hi)] = daily_costs(self.frame(lo, hi), lo, hi, self.now, self.tz)
        return self._daily[(lo, hi)]

    def _edge_hourly(self, lo: datetime, hi: datetime) -> pd.DataFrame:
        if (lo, hi) not in self._hourly:
            frame = self.frame(lo, hi)
            self._hourly[(lo, hi)] = hourly_replicas(frame, lo, hi, self.now, self.tz)
        return self._hourly[(lo, hi)]

    def totals(
        self, start: datetime, end: datetime, keys: list[str], teams: list[str] | None = None
    ) -> pd.DataFrame:
        """Sums of the daily figures in [start, end) grouped by ``keys`` (a subset of day,
        namespace, model, team), optionally for some teams only."""
        reports.check_keys(keys)
        split, edges = self.plan(start, end)
        rolled = None
        if split is not None:
            scan = self._scan_model(split)
            rolled = reports.rolled_totals(
                self.new_session, self.tz, keys, teams, split, scan_model=scan
            )
        raw = [self._edge_daily(lo, hi) for lo, hi in edges]
        return reports.combine_totals(rolled, raw, keys, teams)

    def _scan_model(self, split: DayRange) -> bool:
        """SQLite: whether sums by model should read the whole model index (the period is at
        least a third of the rolled-up days) rather than seek the days and sort."""
        if not self._sqlite or self.through is None:
            return False
        if self._first_rolled is None:
            self._first_rolled = rollups.first_rolled(self.new_session, self.tz) or split[0]
        return (split[1] - split[0]).days * 3 >= (self.through - self._first_rolled).days

    def _combined(
        self, start: datetime, end: datetime, table: Any, columns: list[str], edge: Callable
    ) -> pd.DataFrame:
        split, edges = self.plan(start, end)
        parts = (
            []
            if split is None
            else [rollups.rolled_rows(self.new_session, table, columns, self.tz, split)]
        )
        parts += [edge(lo, hi) for lo, hi in edges]
        return reports.concat_parts(parts, columns)

    def daily(self, start: datetime, end: datetime) -> pd.DataFrame:
        """Cost per model and local day in [start, end)."""
        return self._combined(start, end, CostDaily, COLUMNS, self._edge_daily)

    def hourly(self, start: datetime, end: datetime) -> pd.DataFrame:
        """Replica-hours per team and local hour in [start, end) (see ``hourly_replicas``)."""
        return self._combined(start, end, ReplicaHourly, HOURLY_COLUMNS, self._edge_hourly)

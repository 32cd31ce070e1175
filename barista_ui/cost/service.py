"""The cost service: one object holding the cost configuration (database, clock, timezone,
region, price file) and a price-table cache, delegating to the modules that do the work:
``segments`` (replica history), ``rollups``, ``reports``, ``billing_imports``, ``budgets``,
``price_table`` and ``demo_history``."""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import insert

from barista_ui.access import roles
from barista_ui.access.actor import SYSTEM, Actor
from barista_ui.access.roles import authorize
from barista_ui.cost import billing_imports, budgets, reports, rollups, segments
from barista_ui.cost.billing_imports import UNALLOCATED
from barista_ui.cost.demo_history import IsDown, demo_segments
from barista_ui.cost.model import GROUPS, Segment
from barista_ui.cost.periods import month_start
from barista_ui.cost.price_files import (
    family_of,
    pick,
    read_price_file,
    unique_entries,
    write_price_file,
)
from barista_ui.cost.price_table import read_price_table, store_price_table
from barista_ui.cost.queries import SessionFactory, dialect_name
from barista_ui.cost.rates import DEFAULT_PRICES, PriceEntry, PricingError, spec_rate
from barista_ui.cost.scope import CostScope
from barista_ui.cost.segments import ReplicaChange
from barista_ui.records.registry import ModelRecord
from data.cost_tables import ReplicaSegment
from data.db import transaction
from data.types import utcnow

__all__ = ["UNALLOCATED", "CostService"]

PRICES_TTL_S = 30.0
PRICE_FILE = Actor("system:price-file", kind=SYSTEM)  # the configured file, loaded at start


class CostService:
    SUMS = reports.SUMS
    KEYS = reports.KEYS

    def __init__(
        self,
        new_session: SessionFactory,
        *,
        clock: Callable[[], datetime] = utcnow,
        tz: str = "UTC",
        region: str = DEFAULT_PRICES.region,
        price_file: str | None = None,
    ):
        self.new_session = new_session
        self.clock = clock
        self.tz = tz
        self.region = region
        self.price_file = price_file
        self._prices: list[PriceEntry] | None = None
        self._prices_read = 0.0
        self._dialect: str | None = None

    # ------------------------------------------------------------------ prices

    def price_table(self) -> list[PriceEntry]:
        """The stored price table (the built-in defaults until someone saves one)."""
        # re-read now and then: the CLI in another process may have loaded a new table
        if self._prices is None or _time.monotonic() - self._prices_read > PRICES_TTL_S:
            self._prices_read = _time.monotonic()
            self._prices = read_price_table(self.new_session)
        return self._prices

    def prices_for(self, spec: Any) -> PriceEntry:
        return pick(self.price_table(), self.region, family_of(spec))

    def rate_for(self, spec: Any) -> float:
        return spec_rate(spec, self.prices_for(spec))

    def save_prices(
        self, entries: list[PriceEntry], records: Sequence[ModelRecord] = (), *, actor: Actor
    ) -> int:
        """Replace the price table (all or nothing) and re-rate the running segments of
        ``records`` from now on; past segments keep the rate that was in force. Returns the
        number of models re-rated. Writes the price file too when one is configured. Admins
        only."""
        authorize(actor, roles.COST_PRICES)
        entries = unique_entries(list(entries))
        now = self.clock()
        store_price_table(self.new_session, entries, actor.name)
        self._prices = None
        if self.price_file:
            write_price_file(self.price_file, entries)
        return sum(1 for rec in records if self._rerate(rec, now))

    def load_price_file(self) -> int:
        """At start-up: the configured price file is the table (written from the table if the
        file does not exist yet). Returns the number of entries."""
        if not self.price_file:
            return 0
        path = Path(self.price_file)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            write_price_file(path, self.price_table())
            return len(self.price_table())
        entries = read_price_file(path)
        if entries != self.price_table():
            keep, self.price_file = self.price_file, None
            try:
                self.save_prices(entries, actor=PRICE_FILE)
            finally:
                self.price_file = keep
        return len(entries)

    def _rerate(self, rec: ModelRecord, at: datetime) -> bool:
        """Continue the record's running segment at its new rate from ``at``."""
        try:
            rate = self.rate_for(rec.spec)
        except PricingError:
            return False
        open_ = segments.running_segment(self.new_session, rec.namespace, rec.name)
        if open_ is None:
            return False
        return self.record_replicas(
            rec.namespace,
            rec.name,
            open_.team,
            open_.replicas,
            at,
            "price",
            scheduled_down=open_.scheduled_down,
            baseline=open_.baseline_replicas,
            rate=rate,
            gpu_type=open_.gpu_type,
        )

    # ------------------------------------------------------------------ budgets

    def budgets(self) -> dict[str, float]:
        return budgets.budgets(self.new_session)

    def set_budget(self, team: str, monthly_usd: float | None, *, actor: Actor) -> None:
        """Set (or with None, remove) a team's monthly budget in USD (admins only)."""
        authorize(actor, roles.COST_BUDGETS)
        budgets.set_budget(self.new_session, team, monthly_usd, actor.name, self.clock())

    # ------------------------------------------------------------------ billing

    def import_billing(
        self,
        content: bytes,
        fmt: str,
        *,
        filename: str = "",
        actor: Actor,
        team_key: str | None = None,
        model_key: str | None = None,
    ) -> dict[str, Any]:
        """Import a billing export (all rows or none). The same file twice, or rows already
        imported from an overlapping file, are not counted again. Admins only."""
        authorize(actor, roles.COST_BILLING)
        rows = billing_imports.parse_export(content, fmt, team_key, model_key)
        return billing_imports.store_import(
            self.new_session,
            content,
            rows,
            fmt=fmt,
            filename=filename,
            actor=actor.name,
            now=self.clock(),
        )

    def has_billing(self) -> bool:
        return billing_imports.has_billing(self.new_session)

    def billed(self, start: datetime, end: datetime, keys: list[str]) -> pd.DataFrame:
        """Billed cost in [start, end) grouped by day (local), team and/or model.

        Rows without a team tag are reported under ``(unallocated)``."""
        return billing_imports.billed(self.new_session, self.tz, start, end, keys)

    def modeled_vs_billed(self, start: datetime, end: datetime) -> pd.DataFrame:
        """Per team and day: modeled cost, billed cost and billed / modeled."""
        return reports.modeled_vs_billed(
            self.totals(start, end, ["day", "team"]), self.billed(start, end, ["day", "team"])
        )

    # ------------------------------------------------------------------ replica history

    def record_replicas(
        self,
        namespace: str,
        name: str,
        team: str,
        replicas: int,
        at: datetime,
        reason: str,
        *,
        scheduled_down: bool = False,
        baseline: int | None = None,
        rate: float,
        gpu_type: str | None = None,
    ) -> bool:
        """Close the model's open segment at ``at`` and open a new one, if anything changed."""
        change = ReplicaChange(
            namespace, name, team, replicas, at, reason, rate, scheduled_down, baseline, gpu_type
        )
        return segments.record_change(self.new_session, change)

    def segments(self, start: datetime, end: datetime) -> list[Segment]:
        return segments.segments(self.new_session, start, end)

    def has_history(self) -> bool:
        return segments.has_history(self.new_session)

    def has_demo_history(self) -> bool:
        return segments.has_demo_history(self.new_session)

    def _sqlite(self) -> bool:
        if self._dialect is None:
            self._dialect = dialect_name(self.new_session)
        return self._dialect == "sqlite"

    def frame(self, start: datetime, end: datetime) -> pd.DataFrame:
        """Segments overlapping [start, end) as a DataFrame (see ``segments.segment_frame``)."""
        closed = segments.OVERLAPS
        if self._sqlite():
            first = segments.first_start(self.new_session)
            closed = segments.sqlite_overlap_hint(first, self.clock(), start, end)
        return segments.segment_frame(self.new_session, start, end, closed_filter=closed)

    # ------------------------------------------------------------------ roll-ups

    def invalidate_rollups(self) -> None:
        rollups.invalidate_rollups(self.new_session)

    def rolled_through(self) -> date | None:
        return rollups.rolled_through(self.new_session, self.tz)

    def refresh_rollups(self) -> int:
        """Roll up every complete local day not rolled up yet; returns the days added."""
        return rollups.refresh_rollups(self.new_session, self.tz, self.clock(), self.frame)

    def scope(self, now: datetime | None = None) -> CostScope:
        """Rolls up finished days, then fixes ``now`` (the clock's unless given): sums asked
        of the scope share the raw stretches they read (see ``scope.CostScope``)."""
        self.refresh_rollups()
        at = now or self.clock()
        through = self.rolled_through()
        sqlite = self._sqlite()
        return CostScope(self.new_session, self.tz, at, through, self.frame, sqlite=sqlite)

    # ------------------------------------------------------------------ reports

    def totals(
        self,
        start: datetime,
        end: datetime,
        keys: list[str],
        teams: list[str] | None = None,
    ) -> pd.DataFrame:
        """Sums of the daily figures in [start, end) grouped by ``keys`` (a subset of day,
        namespace, model, team), optionally for some teams only."""
        return self.scope().totals(start, end, keys, teams)

    def saved_this_month(self, now: datetime) -> dict[str, float]:
        """What scheduled downtime saved this month, per team (the Schedules tab's figure)."""
        totals = self.totals(month_start(self.tz, now), now, ["team"])
        return {str(k): float(v) for k, v in totals.set_index("team")["saved_usd"].items()}

    def daily(self, start: datetime, end: datetime) -> pd.DataFrame:
        """Cost per model and local day in [start, end): roll-ups for complete days, raw
        segments only for the edges (today, or a period that starts mid-day)."""
        return self.scope().daily(start, end)

    def hourly(self, start: datetime, end: datetime) -> pd.DataFrame:
        """Replica-hours per team and local hour in [start, end) (see ``hourly_replicas``)."""
        return self.scope().hourly(start, end)

    def report(self, start: datetime, end: datetime, by: str) -> list[dict[str, Any]]:
        keys = GROUPS[by]
        return reports.report_rows(self.totals(start, end, keys), keys)

    # ------------------------------------------------------------------ demo

    def seed_demo_history(
        self,
        records: list[ModelRecord],
        now: datetime,
        days: int = 90,
        is_down: IsDown | None = None,
        seed: int = 11,
    ) -> int:
        """Plausible hourly history (busier on weekday afternoons; scheduled nights at 0),
        only into an empty history. Returns the segments written."""
        if self.has_history():
            return 0
        rows = demo_segments(records, lambda rec: self.rate_for(rec.spec), now, days, is_down, seed)
        with transaction(self.new_session) as s:
            if rows:
                s.execute(insert(ReplicaSegment), rows)
        self.invalidate_rollups()
        return len(rows)

"""The cost service: replica history in the database, reports, demo history."""

from __future__ import annotations

import hashlib
import random
import time as _time
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import delete, func, insert, or_, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from barista_ui.cost.model import (
    COLUMNS,
    GROUPS,
    HOURLY_COLUMNS,
    Segment,
    daily_costs,
    hourly_replicas,
    segments_frame,
)
from barista_ui.cost.price_files import entry_from, family_of, pick
from barista_ui.cost.rates import DEFAULT_PRICES, PriceEntry, PricingError, spec_rate
from barista_ui.records.registry import ModelRecord
from data.cost_tables import (
    BillingImport,
    BillingRowRecord,
    CostDaily,
    CostRollupState,
    PriceEntryRow,
    ReplicaHourly,
    ReplicaSegment,
    TeamBudget,
)
from data.db import transaction
from data.types import utcnow

UNALLOCATED = "(unallocated)"
PRICES_TTL_S = 30.0


def _open_segment(s: Session, namespace: str, name: str) -> ReplicaSegment | None:
    return s.exec(
        select(ReplicaSegment).where(
            ReplicaSegment.namespace == namespace,
            ReplicaSegment.name == name,
            ReplicaSegment.end.is_(None),  # type: ignore[union-attr]
        )
    ).first()


class CostService:
    def __init__(
        self,
        new_session: Callable[[], Session],
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
            with self.new_session() as s:
                rows = s.exec(select(PriceEntryRow).order_by(PriceEntryRow.id)).all()
            self._prices = [entry_from(r) for r in rows] or [DEFAULT_PRICES]
        return self._prices

    def prices_for(self, spec: Any) -> PriceEntry:
        return pick(self.price_table(), self.region, family_of(spec))

    def rate_for(self, spec: Any) -> float:
        return spec_rate(spec, self.prices_for(spec))

    def save_prices(
        self, entries: list[PriceEntry], records: list[ModelRecord] = (), actor: str = ""
    ) -> int:
        """Replace the price table (all or nothing) and re-rate the running segments of
        ``records`` from now on; past segments keep the rate that was in force. Returns the
        number of models re-rated. Writes the price file too when one is configured."""
        from barista_ui.cost.price_files import _unique, write_price_file

        entries = _unique(list(entries))
        now = self.clock()
        with transaction(self.new_session) as s:
            s.execute(delete(PriceEntryRow))
            for e in entries:
                s.add(
                    PriceEntryRow(
                        region=e.region,
                        machine_family=e.machine_family,
                        cpu_hourly=e.cpu_hourly,
                        memory_gib_hourly=e.memory_gib_hourly,
                        gpu_hourly=dict(e.gpu_hourly),
                        source=e.source,
                        as_of=e.as_of,
                    )
                )
        self._prices = None
        if self.price_file:
            write_price_file(self.price_file, entries)
        changed = 0
        for rec in records:
            try:
                rate = self.rate_for(rec.spec)
            except PricingError:
                continue
            if self._rerate(rec.namespace, rec.name, rate, now):
                changed += 1
        return changed

    def load_price_file(self) -> int:
        """At start-up: the configured price file is the table (written from the table if the
        file does not exist yet). Returns the number of entries."""
        from barista_ui.cost.price_files import read_price_file, write_price_file

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
                self.save_prices(entries)
            finally:
                self.price_file = keep
        return len(entries)

    def _rerate(self, namespace: str, name: str, rate: float, at: datetime) -> bool:
        """Continue the running segment at a new rate from ``at``."""
        with self.new_session() as s:
            open_ = _open_segment(s, namespace, name)
        if open_ is None:
            return False
        return self.record_replicas(
            namespace,
            name,
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
        with self.new_session() as s:
            return {b.team: b.monthly_usd for b in s.exec(select(TeamBudget)).all()}

    def set_budget(self, team: str, monthly_usd: float | None, actor: str = "") -> None:
        """Set (or with None, remove) a team's monthly budget in USD."""
        if not team:
            raise ValueError("team: give the team the budget is for")
        if monthly_usd is not None and (
            not isinstance(monthly_usd, int | float)
            or monthly_usd < 0
            or monthly_usd != monthly_usd
        ):
            raise ValueError(f"monthly budget '{monthly_usd}': use a number of USD >= 0")
        with transaction(self.new_session) as s:
            row = s.get(TeamBudget, team)
            if monthly_usd is None:
                if row is not None:
                    s.delete(row)
                return
            row = row or TeamBudget(team=team, monthly_usd=0.0)
            row.monthly_usd = float(monthly_usd)
            row.updated_by = actor
            row.updated_at = self.clock()
            s.add(row)

    # ------------------------------------------------------------------ billing

    def import_billing(
        self,
        content: bytes,
        fmt: str,
        *,
        filename: str = "",
        actor: str = "",
        team_key: str | None = None,
        model_key: str | None = None,
    ) -> dict[str, Any]:
        """Import a billing export (all rows or none). The same file twice, or rows already
        imported from an overlapping file, are not counted again."""
        from barista_ui.cost.billing import BillingFileError, parse_billing

        sha = hashlib.sha256(content).hexdigest()
        try:
            text_ = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BillingFileError(None, "the file is not UTF-8 text") from None
        rows = parse_billing(text_, fmt, team_key, model_key)
        with transaction(self.new_session) as s:
            if s.exec(select(BillingImport).where(BillingImport.file_sha256 == sha)).first():
                return {
                    "file": filename,
                    "rows": len(rows),
                    "new_rows": 0,
                    "already": True,
                    "new_usd": 0.0,
                }
            known = set()
            hashes = [r.row_hash for r in rows]
            for i in range(0, len(hashes), 500):
                chunk = hashes[i : i + 500]
                known.update(
                    s.exec(
                        select(BillingRowRecord.row_hash).where(
                            BillingRowRecord.row_hash.in_(chunk)  # type: ignore[attr-defined]
                        )
                    ).all()
                )
            fresh = [r for r in rows if r.row_hash not in known]
            imp = BillingImport(
                file_sha256=sha,
                filename=filename,
                format=fmt,
                rows=len(fresh),
                total_usd=sum(r.cost_usd for r in fresh),
                imported_by=actor,
                imported_at=self.clock(),
            )
            s.add(imp)
            s.flush()
            if fresh:
                s.execute(
                    insert(BillingRowRecord),
                    [
                        {
                            "import_id": imp.id,
                            "line": r.line,
                            "time": r.time,
                            "cost_usd": r.cost_usd,
                            "currency": "USD",
                            "team": r.team,
                            "model": r.model,
                            "service": r.service,
                            "resource": r.resource,
                            "row_hash": r.row_hash,
                        }
                        for r in fresh
                    ],
                )
        return {
            "file": filename,
            "rows": len(rows),
            "new_rows": len(fresh),
            "already": False,
            "new_usd": round(sum(r.cost_usd for r in fresh), 6),
        }

    def has_billing(self) -> bool:
        with self.new_session() as s:
            return s.exec(select(BillingRowRecord.id).limit(1)).first() is not None

    def billed(self, start: datetime, end: datetime, keys: list[str]) -> pd.DataFrame:
        """Billed cost in [start, end) grouped by day (local), team and/or model.

        Rows without a team tag are reported under ``(unallocated)``."""
        bad = [k for k in keys if k not in ("day", "team", "model")]
        if bad:
            raise ValueError(f"unknown grouping {bad}; allowed: day, team, model")
        naive = [t.astimezone(UTC).replace(tzinfo=None) for t in (start, end)]
        df = self._query_frame(
            text(
                "SELECT time, team, model, cost_usd FROM billing_row WHERE time >= :a AND time < :b"
            ),
            {"a": naive[0], "b": naive[1]},
        )
        if df.empty:
            return pd.DataFrame(columns=[*keys, "billed_usd"])
        df["day"] = (
            pd.to_datetime(df["time"], utc=True, format="ISO8601").dt.tz_convert(self.tz).dt.date
        )
        df["team"] = df["team"].fillna(UNALLOCATED)
        df["model"] = df["model"].fillna(UNALLOCATED)
        df = df.rename(columns={"cost_usd": "billed_usd"})
        if not keys:
            return pd.DataFrame({"billed_usd": [df["billed_usd"].sum()]})
        return df.groupby(keys, as_index=False)["billed_usd"].sum().sort_values(keys)

    def modeled_vs_billed(self, start: datetime, end: datetime) -> pd.DataFrame:
        """Per team and day: modeled cost, billed cost and billed / modeled."""
        modeled = self.totals(start, end, ["day", "team"])[["day", "team", "cost_usd"]]
        billed = self.billed(start, end, ["day", "team"])
        both = modeled.merge(billed, on=["day", "team"], how="outer").fillna(0.0)
        both = both.rename(columns={"cost_usd": "modeled_usd"})
        both["ratio"] = [
            (b / m) if m > 0 else None
            for b, m in zip(both["billed_usd"], both["modeled_usd"], strict=True)
        ]
        return both.sort_values(["day", "team"]).reset_index(drop=True)

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
        with transaction(self.new_session) as s:
            self._rewind(s, at)
            open_ = _open_segment(s, namespace, name)
            if open_ is not None:
                if (open_.replicas, round(open_.hourly_rate, 9), open_.scheduled_down) == (
                    replicas,
                    round(rate, 9),
                    scheduled_down,
                ):
                    return False
                open_.end = at
                s.add(open_)
            s.add(
                ReplicaSegment(
                    namespace=namespace,
                    name=name,
                    team=team,
                    start=at,
                    end=None,
                    replicas=replicas,
                    reason=reason,
                    hourly_rate=rate,
                    gpu_type=gpu_type,
                    scheduled_down=scheduled_down,
                    baseline_replicas=baseline,
                )
            )
        return True

    def segments(self, start: datetime, end: datetime) -> list[Segment]:
        with self.new_session() as s:
            rows = s.exec(
                select(ReplicaSegment).where(
                    ReplicaSegment.start < end,
                    or_(ReplicaSegment.end.is_(None), ReplicaSegment.end > start),
                )
            ).all()  # type: ignore[union-attr]
        return [
            Segment(
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
            for r in rows
        ]

    def has_history(self) -> bool:
        with self.new_session() as s:
            return s.exec(select(ReplicaSegment.id).limit(1)).first() is not None

    def has_demo_history(self) -> bool:
        with self.new_session() as s:
            return (
                s.exec(select(ReplicaSegment.id).where(ReplicaSegment.demo).limit(1)).first()
                is not None
            )

    # ------------------------------------------------------------------ reports

    def _query_frame(self, query: Any, params: dict[str, Any]) -> pd.DataFrame:
        """Rows of a textual query as a DataFrame, built column-wise from plain tuples
        (handing SQLAlchemy rows to pandas costs a failed attribute lookup per row)."""
        with self.new_session() as s:
            result = s.connection().execute(query, params)
            columns = list(result.keys())
            rows = [tuple(r) for r in result.fetchall()]
        data = dict(zip(columns, zip(*rows, strict=True), strict=True)) if rows else {}
        return pd.DataFrame({c: list(data.get(c, ())) for c in columns}, columns=columns)

    def _sqlite(self) -> bool:
        if self._dialect is None:
            with self.new_session() as s:
                self._dialect = s.connection().dialect.name
        return self._dialect == "sqlite"

    def _sqlite_hint(self, start: datetime, end: datetime) -> str:
        """SQLite keeps no statistics, so tell it which end of the interval is selective: near
        now few segments end after ``start``; near the beginning of history few start before
        ``end``. (PostgreSQL's planner works this out from its own statistics.)"""
        with self.new_session() as s:
            first = s.exec(select(func.min(ReplicaSegment.start))).one()
        now = self.clock()
        if first is None or now <= first:
            return '"end" > :start AND start < :end'
        span = (now - first).total_seconds()
        starts_before = max((end - first).total_seconds(), 0) / span
        ends_after = max((now - start).total_seconds(), 0) / span
        if starts_before < ends_after:
            return 'likelihood("end" > :start, 0.95) AND start < :end'
        return '"end" > :start AND likelihood(start < :end, 0.95)'

    def frame(self, start: datetime, end: datetime) -> pd.DataFrame:
        """Segments overlapping [start, end) straight into a DataFrame (no ORM objects: at a
        million rows that is the difference between seconds and half a minute)."""
        naive = [t.astimezone(UTC).replace(tzinfo=None) for t in (start, end)]
        cols = (
            'SELECT namespace, name AS model, team, start, "end", replicas, hourly_rate AS rate, '
            "scheduled_down, COALESCE(baseline_replicas, replicas) AS baseline FROM replica_segment"
        )
        closed = '"end" > :start AND start < :end'
        if self._sqlite():
            closed = self._sqlite_hint(start, end)
        # two halves rather than one OR: closed segments by an index on one of their ends, open
        # ones by the (namespace, name, end) index
        query = text(f'{cols} WHERE {closed} UNION ALL {cols} WHERE "end" IS NULL AND start < :end')
        df = self._query_frame(query, {"start": naive[0], "end": naive[1]})
        if df.empty:
            return segments_frame([])
        for col in ("start", "end"):
            df[col] = pd.to_datetime(df[col], utc=True, format="ISO8601")
        df["scheduled_down"] = df["scheduled_down"].astype(bool)
        return df

    # ------------------------------------------------------------------ roll-ups

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), ZoneInfo(self.tz))

    def _local_day(self, t: datetime) -> date:
        return t.astimezone(ZoneInfo(self.tz)).date()

    def _rewind(self, s: Session, at: datetime) -> None:
        """A write dated inside rolled-up days (a late observation, a clock step) makes those
        days stale: drop their roll-ups, they are recomputed on the next read."""
        stale = (at.astimezone(UTC) - timedelta(days=1)).date()  # safe in any timezone
        states = s.exec(select(CostRollupState).where(CostRollupState.through > stale)).all()
        if not states:
            return
        s.execute(delete(CostDaily).where(CostDaily.day >= stale))
        s.execute(delete(ReplicaHourly).where(ReplicaHourly.day >= stale))
        for st in states:
            st.through = stale
            s.add(st)

    def invalidate_rollups(self) -> None:
        with transaction(self.new_session) as s:
            s.execute(delete(CostDaily))
            s.execute(delete(ReplicaHourly))
            s.execute(delete(CostRollupState))

    def rolled_through(self) -> date | None:
        with self.new_session() as s:
            st = s.get(CostRollupState, self.tz)
            return st.through if st else None

    def refresh_rollups(self) -> int:
        """Roll up every complete local day not rolled up yet; returns the days added.

        Cheap when up to date (one primary-key read), so readers call it first. Two processes
        racing on the same days: the loser's insert fails on the primary key and it keeps the
        winner's rows.
        """
        today = self._local_day(self.clock())
        through = self.rolled_through()
        if through is None:
            with self.new_session() as s:
                first = s.exec(select(func.min(ReplicaSegment.start))).one()
            if first is None:
                return 0
            through = self._local_day(first)
        if through >= today:
            return 0
        lo, hi = self._midnight(through), self._midnight(today)
        frame = self.frame(lo, hi)
        daily = daily_costs(frame, lo, hi, hi, self.tz)
        hourly = hourly_replicas(frame, lo, hi, hi, self.tz)
        try:
            with transaction(self.new_session) as s:
                st = s.get(CostRollupState, self.tz)
                if st is not None and st.through != through:
                    return 0
                for table, df in ((CostDaily, daily), (ReplicaHourly, hourly)):
                    if not df.empty:
                        rows = df.assign(tz=self.tz).to_dict("records")
                        for i in range(0, len(rows), 20_000):
                            s.execute(insert(table), rows[i : i + 20_000])
                if st is None:
                    st = CostRollupState(tz=self.tz, through=today)
                st.through = today
                s.add(st)
        except IntegrityError:
            return 0
        return (today - through).days

    def _split(self, start: datetime, end: datetime) -> tuple[date, date] | None:
        """The whole local days of [start, end) that the roll-up covers, or None."""
        through = self.rolled_through()
        if through is None:
            return None
        first = self._local_day(start)
        if self._midnight(first) < start:
            first += timedelta(days=1)
        last = min(self._local_day(end), through)
        return (first, last) if first < last else None

    def _rolled(self, table: Any, columns: list[str], first: date, last: date) -> pd.DataFrame:
        cols = ", ".join(f'"{c}"' for c in columns)
        query = text(
            f"SELECT {cols} FROM {table.__tablename__} "
            "WHERE tz = :tz AND day >= :first AND day < :last"
        )
        df = self._query_frame(query, {"tz": self.tz, "first": first, "last": last})
        df["day"] = pd.to_datetime(df["day"]).dt.date
        return df

    def _plan(
        self, start: datetime, end: datetime
    ) -> tuple[tuple[date, date] | None, list[tuple[datetime, datetime]], datetime]:
        """Which whole days of [start, end) come from the roll-ups, and which stretches (today,
        a mid-day start) must be computed from raw segments, and the ``now`` they end at.
        Rolls up finished days first."""
        self.refresh_rollups()
        now = self.clock()
        split = self._split(start, end)
        edges = [(start, end)]
        if split is not None:
            edges = [(start, self._midnight(split[0])), (self._midnight(split[1]), end)]
        return split, [(lo, hi) for lo, hi in edges if lo < hi and lo < now], now

    def _combined(
        self,
        start: datetime,
        end: datetime,
        table: Any,
        columns: list[str],
        compute: Callable[..., pd.DataFrame],
    ) -> pd.DataFrame:
        split, edges, now = self._plan(start, end)
        parts = [self._rolled(table, columns, *split)] if split is not None else []
        parts += [compute(self.frame(lo, hi), lo, hi, now, self.tz) for lo, hi in edges]
        parts = [p for p in parts if not p.empty]
        if not parts:
            return pd.DataFrame(columns=columns)
        return pd.concat(parts, ignore_index=True)

    SUMS = ["hours", "replica_hours", "cost_usd", "would_have_usd", "saved_usd"]
    KEYS = ("day", "namespace", "model", "team")

    def totals(
        self,
        start: datetime,
        end: datetime,
        keys: list[str],
        teams: list[str] | None = None,
    ) -> pd.DataFrame:
        """Sums of the daily figures in [start, end) grouped by ``keys`` (a subset of day,
        namespace, model, team), optionally for some teams only.

        The rolled-up days are summed by the database, so a month of 2,000 models costs a few
        thousand rows, not sixty thousand.
        """
        bad = [k for k in keys if k not in self.KEYS]
        if bad:
            raise ValueError(f"unknown grouping {bad}; allowed: {', '.join(self.KEYS)}")
        split, edges, now = self._plan(start, end)
        parts: list[pd.DataFrame] = []
        if split is not None:
            first, last = split
            sel = ", ".join(f'"{k}"' for k in keys)
            sums = ", ".join(f'SUM("{c}") AS "{c}"' for c in self.SUMS)
            where = "tz = :tz AND day >= :first AND day < :last"
            params: dict[str, Any] = {"tz": self.tz, "first": first, "last": last}
            if teams is not None:
                names = [f":team{i}" for i in range(len(teams))]
                where += f" AND team IN ({', '.join(names) or 'NULL'})"
                params.update({n[1:]: t for n, t in zip(names, teams, strict=True)})
            group = f" GROUP BY {sel}" if keys else ""
            query = text(
                f"SELECT {sel + ', ' if keys else ''}{sums} FROM cost_daily WHERE {where}{group}"
            )
            rolled = self._query_frame(query, params)
            rolled = rolled.dropna(subset=["cost_usd"])
            if "day" in rolled:
                rolled["day"] = pd.to_datetime(rolled["day"]).dt.date
            parts.append(rolled)
        for lo, hi in edges:
            d = daily_costs(self.frame(lo, hi), lo, hi, now, self.tz)
            if teams is not None:
                d = d[d["team"].isin(teams)]
            parts.append(d[[*keys, *self.SUMS]])
        parts = [p for p in parts if not p.empty]
        if not parts:
            return pd.DataFrame(columns=[*keys, *self.SUMS])
        both = pd.concat(parts, ignore_index=True)
        if not keys:
            return both[self.SUMS].sum().to_frame().T
        return both.groupby(keys, as_index=False)[self.SUMS].sum().sort_values(keys)

    def daily(self, start: datetime, end: datetime) -> pd.DataFrame:
        """Cost per model and local day in [start, end): roll-ups for complete days, raw
        segments only for the edges (today, or a period that starts mid-day)."""
        return self._combined(start, end, CostDaily, COLUMNS, daily_costs)

    def hourly(self, start: datetime, end: datetime) -> pd.DataFrame:
        """Replica-hours per team and local hour in [start, end) (see ``hourly_replicas``)."""
        return self._combined(start, end, ReplicaHourly, HOURLY_COLUMNS, hourly_replicas)

    def report(self, start: datetime, end: datetime, by: str) -> list[dict[str, Any]]:
        keys = GROUPS[by]
        g = self.totals(start, end, keys)[[*keys, "cost_usd", "saved_usd"]]
        rows = []
        for rec in g.to_dict("records"):
            if "day" in rec:
                rec["day"] = str(rec["day"])
            rec["cost_usd"] = round(float(rec["cost_usd"]), 4)
            rec["saved_usd"] = round(float(rec["saved_usd"]), 4)
            rows.append(rec)
        return rows

    # ------------------------------------------------------------------ demo

    def seed_demo_history(
        self,
        records: list[ModelRecord],
        now: datetime,
        days: int = 90,
        is_down: Callable[[ModelRecord, datetime], bool] | None = None,
        seed: int = 11,
    ) -> int:
        """Plausible hourly history (busier on weekday afternoons; scheduled nights at 0)."""
        if self.has_history():
            return 0
        rng = random.Random(seed)
        end = now.replace(minute=0, second=0, microsecond=0)
        start = end - timedelta(days=days)
        rows: list[dict[str, Any]] = []
        for rec in records:
            if not rec.spec.enabled:
                continue
            rate = self.rate_for(rec.spec)
            base = max(1, rec.spec.replicas)
            t, last = start, None
            while t < end:
                busy = t.weekday() < 5 and 13 <= t.hour < 21  # afternoons in Europe, UTC
                want = base + (1 if busy and rng.random() < 0.6 else 0)
                down = bool(is_down and is_down(rec, t))
                replicas = 0 if down else want
                state = (replicas, down)
                if state != last:
                    if (
                        rows
                        and rows[-1]["name"] == rec.name
                        and rows[-1]["namespace"] == rec.namespace
                    ):
                        rows[-1]["end"] = t
                    rows.append(
                        {
                            "namespace": rec.namespace,
                            "name": rec.name,
                            "team": rec.spec.team,
                            "start": t,
                            "end": None,
                            "replicas": replicas,
                            "reason": "schedule" if down else "demo",
                            "hourly_rate": rate,
                            "gpu_type": rec.spec.resources.gpu.type,
                            "scheduled_down": down,
                            "baseline_replicas": want if down else None,
                            "demo": True,
                        }
                    )
                    last = state
                t += timedelta(hours=1)
            if rows and rows[-1]["name"] == rec.name:
                rows[-1]["end"] = end
        with transaction(self.new_session) as s:
            if rows:
                s.execute(insert(ReplicaSegment), rows)
        self.invalidate_rollups()
        return len(rows)

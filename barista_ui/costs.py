"""The cost service: replica history in the database, reports, demo history."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import insert, or_, text
from sqlmodel import Session, select

from barista_ui.cost import Segment, daily_costs, group_costs, segments_frame
from barista_ui.pricing import DEFAULT_PRICES, PriceEntry, spec_rate
from barista_ui.registry import ModelRecord
from data.cost_tables import ReplicaSegment
from data.db import transaction
from data.types import utcnow


class CostService:
    def __init__(
        self,
        new_session: Callable[[], Session],
        *,
        clock: Callable[[], datetime] = utcnow,
        tz: str = "UTC",
        prices: PriceEntry = DEFAULT_PRICES,
    ):
        self.new_session = new_session
        self.clock = clock
        self.tz = tz
        self.prices = prices

    def rate_for(self, spec: Any) -> float:
        return spec_rate(spec, self.prices)

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
            open_ = s.exec(
                select(ReplicaSegment).where(
                    ReplicaSegment.namespace == namespace,
                    ReplicaSegment.name == name,
                    ReplicaSegment.end.is_(None),
                )
            ).first()  # type: ignore[union-attr]
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

    def frame(self, start: datetime, end: datetime) -> pd.DataFrame:
        """Segments overlapping [start, end) straight into a DataFrame (no ORM objects: at a
        million rows that is the difference between seconds and half a minute)."""
        naive = [t.astimezone(UTC).replace(tzinfo=None) for t in (start, end)]
        query = text(
            'SELECT namespace, name AS model, team, start, "end", replicas, hourly_rate AS rate, '
            "scheduled_down, COALESCE(baseline_replicas, replicas) AS baseline "
            'FROM replica_segment WHERE start < :end AND ("end" IS NULL OR "end" > :start)'
        )
        with self.new_session() as s:
            result = s.connection().execute(query, {"start": naive[0], "end": naive[1]})
            df = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
        if df.empty:
            return segments_frame([])
        for col in ("start", "end"):
            df[col] = pd.to_datetime(df[col], utc=True, format="ISO8601")
        df["scheduled_down"] = df["scheduled_down"].astype(bool)
        return df

    def daily(self, start: datetime, end: datetime) -> pd.DataFrame:
        return daily_costs(self.frame(start, end), start, end, self.clock(), self.tz)

    def report(self, start: datetime, end: datetime, by: str) -> list[dict[str, Any]]:
        g = group_costs(self.daily(start, end), by)
        rows = []
        for rec in g.to_dict("records"):
            rec.pop("replica_hours", None)
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
        return len(rows)

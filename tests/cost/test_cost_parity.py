"""Sums read from the roll-ups (whole days) plus raw stretches (mid-day starts and ends, today)
equal the same sums computed from every raw segment, to the cent, for random periods."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import insert

from barista_ui.cost.model import daily_costs, hourly_replicas
from barista_ui.cost.service import CostService
from data.cost_tables import ReplicaSegment
from data.db import session_factory, transaction

START = datetime(2026, 9, 1, 2, 13, tzinfo=UTC)
NOW = datetime(2026, 10, 21, 14, 41, tzinfo=UTC)
SUMS = ["cost_usd", "would_have_usd", "saved_usd", "replica_hours"]


def _history(new, seed: int) -> None:
    """Twelve models over three teams, changing every few minutes to a day, some scheduled
    down (savings), each with its last segment still running."""
    rng = random.Random(seed)
    rows = []
    for m in range(12):
        t = START + timedelta(minutes=rng.randrange(0, 600))
        while t < NOW:
            step = timedelta(minutes=rng.choice([5, 40, 95, 240, 700, 1500]))
            down = rng.random() < 0.25
            rows.append(
                {
                    "namespace": f"ns{m % 2}",
                    "name": f"m{m}",
                    "team": f"t{m % 3}",
                    "start": t,
                    "end": t + step,
                    "replicas": 0 if down else rng.randint(1, 5),
                    "reason": "schedule" if down else "watch",
                    "hourly_rate": round(0.05 + m * 0.173, 4),
                    "scheduled_down": down,
                    "baseline_replicas": rng.randint(1, 4) if down else None,
                }
            )
            t += step
        rows[-1]["end"] = None
    with transaction(new) as s:
        s.execute(insert(ReplicaSegment), rows)


def _periods(rng: random.Random, n: int) -> list[tuple[datetime, datetime]]:
    """Periods starting and ending at any minute (mid-day), some reaching past now."""
    span = int((NOW - START).total_seconds() // 60)
    out = []
    for _ in range(n):
        lo = START - timedelta(hours=5) + timedelta(minutes=rng.randrange(0, span))
        out.append((lo, lo + timedelta(minutes=rng.randrange(30, 40 * 24 * 60))))
    return out


def _same_to_the_cent(got: pd.DataFrame, want: pd.DataFrame, keys: list[str]) -> None:
    if keys:
        got, want = got.set_index(keys), want.set_index(keys)
        assert sorted(got.index) == sorted(want.index)
        got = got.loc[want.index]
    diff = (got[SUMS].to_numpy(dtype=float) - want[SUMS].to_numpy(dtype=float)).max(initial=0)
    low = (want[SUMS].to_numpy(dtype=float) - got[SUMS].to_numpy(dtype=float)).max(initial=0)
    assert max(diff, low) < 0.005, (keys, max(diff, low))


def _raw_totals(raw: pd.DataFrame, lo: datetime, hi: datetime, keys: list[str]) -> pd.DataFrame:
    daily = daily_costs(raw, lo, hi, NOW)
    if not keys:
        return daily[SUMS].sum().to_frame().T
    return daily.groupby(keys, as_index=False)[SUMS].sum()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rolled_up_sums_equal_raw_segments_for_random_periods(engine, seed) -> None:
    new = session_factory(engine)
    _history(new, seed)
    svc = CostService(new, clock=lambda: NOW)
    raw = svc.frame(START - timedelta(days=1), NOW)  # every segment, before any roll-up
    rng = random.Random(seed)
    for lo, hi in _periods(rng, 8):
        for keys in (["day", "team"], ["namespace", "model", "team"], ["namespace"], []):
            _same_to_the_cent(svc.totals(lo, hi, keys), _raw_totals(raw, lo, hi, keys), keys)
    assert svc.rolled_through() == NOW.date()  # the roll-ups were read, not only raw rows


def test_one_scope_answers_as_separate_reads_do(engine) -> None:
    """Sums asked of one scope share its raw stretches; each equals a fresh read."""
    new = session_factory(engine)
    _history(new, 7)
    svc = CostService(new, clock=lambda: NOW)
    raw = svc.frame(START - timedelta(days=1), NOW)
    month = datetime(2026, 10, 1, tzinfo=UTC)
    scope = svc.scope(NOW)
    periods = [(datetime(2026, 9, 22, 7, 30, tzinfo=UTC), NOW + timedelta(hours=9)), (month, NOW)]
    for lo, hi in periods:
        for keys in (["day", "team"], ["namespace", "model"]):
            want = _raw_totals(raw, lo, hi, keys)
            _same_to_the_cent(scope.totals(lo, hi, keys), want, keys)
            _same_to_the_cent(svc.totals(lo, hi, keys), want, keys)


def test_rolled_up_hours_equal_raw_segments_for_a_mid_day_period(engine) -> None:
    new = session_factory(engine)
    _history(new, 4)
    svc = CostService(new, clock=lambda: NOW)
    raw = svc.frame(START - timedelta(days=1), NOW)
    lo, hi = datetime(2026, 9, 3, 16, 20, tzinfo=UTC), datetime(2026, 10, 21, 9, 5, tzinfo=UTC)
    keys = ["day", "hour", "team"]
    got = svc.hourly(lo, hi).groupby(keys)[["hours", "replica_hours"]].sum()
    want = hourly_replicas(raw, lo, hi, NOW).groupby(keys)[["hours", "replica_hours"]].sum()
    assert sorted(got.index) == sorted(want.index)
    gap = (got.loc[want.index] - want).abs().to_numpy().max()
    assert gap < 1e-6

"""Plausible replica history for the demo: busier on weekday afternoons, scheduled nights at
zero; and a usage signal to go with it (how much of its requests each model uses). Pure:
records, rates, a period and a seeded random generator in, segment rows out."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from barista_ui.records.registry import ModelRecord

IsDown = Callable[[ModelRecord, datetime], bool]


def _is_busy(t: datetime) -> bool:
    return t.weekday() < 5 and 13 <= t.hour < 21  # afternoons in Europe, UTC


def _row(rec: ModelRecord, t: datetime, replicas: int, want: int, down: bool, rate: float) -> dict:
    return {
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


def model_demo_segments(
    rec: ModelRecord,
    rate: float,
    start: datetime,
    end: datetime,
    is_down: IsDown | None,
    rng: random.Random,
) -> list[dict[str, Any]]:
    """Hour by hour from ``start`` to ``end``: one segment row per change of count or state."""
    rows: list[dict[str, Any]] = []
    base = max(1, rec.spec.replicas)
    t, last = start, None
    while t < end:
        want = base + (1 if _is_busy(t) and rng.random() < 0.6 else 0)
        down = bool(is_down and is_down(rec, t))
        replicas = 0 if down else want
        if (replicas, down) != last:
            if rows:
                rows[-1]["end"] = t
            rows.append(_row(rec, t, replicas, want, down, rate))
            last = (replicas, down)
        t += timedelta(hours=1)
    if rows:
        rows[-1]["end"] = end
    return rows


def demo_segments(
    records: list[ModelRecord],
    rate_of: Callable[[ModelRecord], float],
    now: datetime,
    days: int,
    is_down: IsDown | None = None,
    seed: int = 11,
) -> list[dict[str, Any]]:
    """Segment rows for the enabled ``records`` over the ``days`` before ``now`` (whole hours)."""
    rng = random.Random(seed)
    end = now.replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(days=days)
    rows: list[dict[str, Any]] = []
    for rec in records:
        if rec.spec.enabled:
            rows += model_demo_segments(rec, rate_of(rec), start, end, is_down, rng)
    return rows


def demo_efficiency(namespace: str, name: str) -> float:
    """The demo's usage signal: the share of its CPU and memory requests a model uses, stable
    per model (from its name) and spread between 0.2 and 0.9, as an over-provisioned fleet
    looks. Real usage comes from OpenCost."""
    digest = hashlib.sha256(f"{namespace}/{name}".encode()).digest()
    return round(0.2 + 0.7 * int.from_bytes(digest[:4], "big") / 2**32, 3)

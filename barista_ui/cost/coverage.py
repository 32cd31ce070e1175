"""Which days billing data covers, and billed ÷ modeled over those days only.

Billing exports arrive for some days (a two-day export, a month not yet closed); modeled cost
exists for every day with replica history. Dividing all billed cost by all modeled cost then
compares different stretches of time, so the ratio is taken over the days the billing data
covers, and the days are named. Pure functions of frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd


def day_runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs, in order."""
    runs: list[tuple[date, date]] = []
    for d in sorted(set(days)):
        if runs and runs[-1][1] + timedelta(days=1) == d:
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs


def describe_days(days: list[date], most: int = 4) -> str:
    """``2026-11-01 – 2026-11-02, 2026-11-05 (3 days)``: runs of days, the first ``most``."""
    runs = day_runs(days)
    if not runs:
        return "no days"
    parts = [str(a) if a == b else f"{a} – {b}" for a, b in runs[:most]]
    if len(runs) > most:
        parts.append(f"… {len(runs) - most} more")
    n = len(set(days))
    return f"{', '.join(parts)} ({n} day{'s' if n != 1 else ''})"


def describe_range(first: date, last: date) -> str:
    """A period as people read it: ``2026-10-28 – 2026-11-26 (30 days)``."""
    n = (last - first).days + 1
    return f"{first} – {last} ({n} day{'s' if n != 1 else ''})"


@dataclass(frozen=True)
class Coverage:
    """Billed and modeled cost over the days the billing data covers."""

    days: list[date]
    billed: float
    modeled: float

    @property
    def ratio(self) -> float | None:
        return self.billed / self.modeled if self.modeled > 0 else None

    def describe(self) -> str:
        return describe_days(self.days)


def coverage(compare: pd.DataFrame) -> Coverage:
    """Sums of a ``modeled_vs_billed`` frame over its covered days."""
    if compare.empty:
        return Coverage([], 0.0, 0.0)
    covered = compare[compare["covered"]]
    return Coverage(
        sorted(set(covered["day"])),
        float(covered["billed_usd"].sum()),
        float(covered["modeled_usd"].sum()),
    )


def per_team(compare: pd.DataFrame) -> pd.DataFrame:
    """Per team over the covered days: modeled, billed and billed ÷ modeled (None when there
    is no modeled cost to compare with)."""
    covered = compare[compare["covered"]] if not compare.empty else compare
    g = covered.groupby("team", as_index=False)[["modeled_usd", "billed_usd"]].sum()
    g["ratio"] = pd.Series(
        [
            (b / m) if m > 0 else None
            for b, m in zip(g["billed_usd"], g["modeled_usd"], strict=True)
        ],
        index=g.index,
        dtype=object,
    )
    return g


def mark_covered(both: pd.DataFrame, billed: pd.DataFrame) -> pd.DataFrame:
    """Adds ``covered`` (the day has billing rows, for any team) and a ratio on covered days."""
    days = set(billed["day"]) if not billed.empty else set()
    both = both.assign(covered=both["day"].isin(days))
    both["ratio"] = pd.Series(
        [
            (b / m) if c and m > 0 else None
            for b, m, c in zip(
                both["billed_usd"], both["modeled_usd"], both["covered"], strict=True
            )
        ],
        index=both.index,
        dtype=object,
    )
    return both
